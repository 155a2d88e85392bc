"""A supplement answered by typing only: the citizen asks for it in words, sees what the
office asked for, answers again, sends exactly the papers asked for (the old photos do
not fill them) and resubmits."""

from __future__ import annotations

from tests.support.photo_portal import CODE, Citizen, at_papers

ID_CARD = "applicant_id_card"


def _submitted() -> Citizen:
    citizen = at_papers()
    for _ in range(2):
        citizen.sends_photo()
        citizen.says("xong")
    citizen.sends_photo(2)
    assert citizen.state.flow == "review"
    citizen.says("nộp")
    citizen.says("nộp")
    assert citizen.portal.status == "submitted", citizen.text
    return citizen


def test_a_supplement_round_trip_typed() -> None:
    citizen = _submitted()
    old_card = [d["id"] for d in citizen.portal.documents if d["code"] == ID_CARD]
    citizen.portal.request_supplement([ID_CARD], ["child_name"], "Ảnh thẻ bị mờ, tên bé sai dấu")

    said = citizen.says("gửi giấy bổ sung")
    assert [name for name, _ in citizen.effects[-2:]] == ["list_mine", "load_application"]
    assert f"bổ sung hồ sơ {CODE}" in said
    assert "Thẻ căn cước của người đi khai" in said and "Ảnh thẻ bị mờ" in said
    assert all(len(r.text) <= 300 for r in citizen.replies)
    # The answer asked for again comes first, with the one given before.
    assert citizen.state.field == "child_name" and "Nguyễn Văn An" in said

    citizen.says("Nguyễn Văn Ân")
    assert citizen.portal.answers["child_name"] == "Nguyễn Văn Ân"
    # Then the card: the old photos do not fill it (the portal counts none of them).
    assert citizen.state.doc == ID_CARD and citizen.ids(ID_CARD) == []
    assert "Giấy tờ 1/1" in citizen.text and "mặt trước" in citizen.text
    citizen.sends_photo()
    assert "mặt sau" in citizen.text
    said = citizen.sends_photo()
    assert citizen.state.flow == "confirm_submit", said
    citizen.says("nộp luôn")
    assert citizen.portal.status == "submitted"
    assert "Đã gửi giấy tờ bổ sung" in citizen.text
    card = [d["id"] for d in citizen.portal.documents if d["code"] == ID_CARD]
    assert len(card) == 2 and not set(card) & set(old_card)


def test_nothing_waiting_is_said_plainly() -> None:
    citizen = _submitted()
    said = citizen.says("bổ sung giấy tờ")
    assert "Không có hồ sơ nào của Bác đang cần bổ sung" in said


def test_a_paper_asked_again_is_retaken_without_the_old_photos() -> None:
    citizen = _submitted()
    citizen.portal.request_supplement(["birth_notice"], [], "")
    citizen.says("bo sung")
    assert citizen.state.doc == "birth_notice" and citizen.ids("birth_notice") == []
    said = citizen.says("xong")  # nothing new yet: not done
    assert "chưa nhận được ảnh nào" in said and citizen.state.doc == "birth_notice"
    citizen.sends_photo()
    citizen.says("xong")
    assert citizen.state.flow == "confirm_submit"


def test_a_photo_sent_after_the_news_goes_to_the_paper_asked_for() -> None:
    citizen = _submitted()
    citizen.portal.request_supplement([ID_CARD], [], "Ảnh mờ")
    citizen.sends_photo()  # no button, no word: just the photo of the card's front
    assert [name for name, _ in citizen.effects[-4:]] == [
        "decode_qr",
        "list_mine",
        "load_application",
        "upload",
    ]
    assert "bổ sung hồ sơ" in citizen.text and "Đã nhận mặt trước" in citizen.text
    assert citizen.state.doc == ID_CARD and len(citizen.ids(ID_CARD)) == 1


def test_a_photo_that_is_no_qr_code_with_nothing_asked_is_not_kept() -> None:
    citizen = _submitted()
    said = citizen.sends_photo()
    assert "không đọc được mã" in said
    assert citizen.state.early == [] and citizen.state.flow == "track"


def test_a_long_note_from_the_office_comes_in_short_messages() -> None:
    citizen = _submitted()
    note = "Ảnh thẻ căn cước bị lóa ở góc phải, Bác chụp lại ở chỗ sáng. " * 12
    citizen.portal.request_supplement([ID_CARD], [], note.strip())
    citizen.says("gửi bổ sung")
    assert all(len(r.text) <= 300 for r in citizen.replies)
    said = " ".join(r.text for r in citizen.replies)
    assert said.count("chụp lại ở chỗ sáng") == 12
