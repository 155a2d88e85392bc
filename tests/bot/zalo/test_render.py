"""Choices as a numbered list, pages of eight with "9. Xem thêm", texts ≤ 2000."""

from __future__ import annotations

from bot.zalo.render import MAX_TEXT, Menu, render
from dialogs import Btn, Media, Reply


def ask(n: int, expects: str | None = None) -> Reply:
    buttons = tuple((Btn(f"Lựa chọn {i}", f"s1:c:{i}"),) for i in range(1, n + 1))
    extra = {"expects": expects} if expects else {}
    return Reply("Bác chọn một:", buttons=buttons, kind="ask", extra=extra)


def test_a_short_list_on_one_line() -> None:
    replies = [Reply("Bé là trai hay gái?", buttons=((Btn("Bé trai", "a"), Btn("Bé gái", "b")),))]
    [message] = render(replies, "vi").messages
    assert message.text == "Bé là trai hay gái?\n\nBác gõ số hoặc gõ chữ: 1. Bé trai  2. Bé gái"
    assert (
        render(replies, "en")
        .messages[0]
        .text.endswith("Type a number or the words: 1. Bé trai  2. Bé gái")
    )


def test_many_choices_in_pages_with_nine_for_more() -> None:
    rendered = render([ask(19)], "vi")
    menu = rendered.menu
    assert menu is not None and menu.pages == 3
    text = rendered.messages[0].text
    assert "1. Lựa chọn 1" in text and "8. Lựa chọn 8" in text and "Lựa chọn 9" not in text
    assert "9. Xem thêm (1/3)" in text
    assert menu.wants_more(9) and menu.pick(9) is None
    menu.next_page()
    assert menu.pick(1) == Btn("Lựa chọn 9", "s1:c:9")
    assert "1. Lựa chọn 9" in menu.text("vi") and "(2/3)" in menu.text("vi")
    menu.next_page()
    menu.next_page()
    assert menu.page == 0  # around again


def test_nine_choices_need_no_page() -> None:
    menu = render([ask(9)], "vi").menu
    assert menu is not None and not menu.paged
    assert menu.pick(9) == Btn("Lựa chọn 9", "s1:c:9") and not menu.wants_more(9)


def test_a_question_answered_in_digits_lists_its_choices_without_numbers() -> None:
    rendered = render([ask(2, expects="date")], "vi")
    assert rendered.menu is not None and rendered.menu.pick(1) is None
    assert "Bác gõ chữ:\n- Lựa chọn 1\n- Lựa chọn 2" in rendered.messages[0].text


def test_long_texts_and_captions_within_the_limit() -> None:
    long = "\n".join(f"dòng {i} " + "x" * 90 for i in range(50))
    messages = render([Reply(long)], "vi").messages
    assert len(messages) >= 3 and all(len(m.text) <= MAX_TEXT for m in messages)
    photo = render([Reply(long, media=Media("qr", "PX-2026-ABC123"))], "vi").messages
    assert photo[0].media is not None and photo[0].text == ""
    assert all(len(m.text) <= MAX_TEXT for m in photo)


def test_news_buttons_are_numbered_after_the_questions() -> None:
    menu = Menu([Btn("A", "a"), Btn("B", "b")])
    menu.pageable = False
    menu.buttons.extend(Btn(f"N{i}", f"n{i}") for i in range(9))
    assert menu.pick(11) == Btn("N8", "n8")
