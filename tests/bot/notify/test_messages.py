"""The supplement news says what the office asked for (papers and answers) and the
words to type to send it."""

from __future__ import annotations

from bot.notify.messages import render

DATA = {"application_id": "a1", "tracking_code": "PX-2026-7Q4K9M", "note": "Ảnh bị lóa"}
CARD = {"vi": "Thẻ căn cước", "en": "Citizen ID card"}
NAME = {"vi": "Tên của bé", "en": "Child's name"}


def test_papers_and_answers_asked_again() -> None:
    text = render(
        "supplement_requested", DATA, "vi", procedure="Khai sinh", documents=[CARD], answers=[NAME]
    ).text
    assert "Thẻ căn cước" in text and "Cần trả lời lại: Tên của bé" in text
    assert 'gõ "gửi giấy bổ sung"' in text and "Ảnh bị lóa" in text


def test_answers_only_do_not_speak_of_papers() -> None:
    message = render("supplement_requested", DATA, "en", procedure="Birth", answers=[NAME])
    assert "needs some answers again: Child's name." in message.text
    assert "some papers" not in message.text
    assert message.buttons[0] == [{"text": "Send the documents now", "data": "g:supp:a1"}]
