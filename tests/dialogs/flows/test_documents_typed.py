"""The photos step driven by typed words and photos only: the counter counts, "xong"
ends a paper, photos are removed and replaced from the chat, a card names its sides,
early photos are kept, a full paper offers to replace one. No button is pressed."""

from __future__ import annotations

from dialogs import EffectResult, State, Text, handle
from tests.support.photo_portal import at_papers, catalog_context

BIRTH_NOTICE, MARRIAGE, ID_CARD = "birth_notice", "marriage_certificate", "applicant_id_card"


def test_the_counter_counts_and_typed_done_ends_each_paper() -> None:
    citizen = at_papers()
    assert citizen.state.doc == BIRTH_NOTICE and "Giấy chứng sinh" in citizen.text
    assert "Đã nhận 1 ảnh" in citizen.sends_photo()
    assert "Đã nhận 2 ảnh" in citizen.sends_photo()  # it said "1 ảnh" again before
    assert "Đã nhận 3 ảnh" in citizen.sends_photo()
    citizen.says("xong roi")
    assert citizen.state.doc == MARRIAGE
    # Nothing sent yet: "done" says what is missing and stays on the same paper.
    said = citizen.says("het roi")
    assert "chưa nhận được ảnh nào" in said and citizen.state.doc == MARRIAGE
    citizen.sends_photo()
    citizen.says("đủ rồi")
    assert citizen.state.doc == ID_CARD
    assert "mặt trước" in citizen.text
    said = citizen.sends_photo()
    assert "Đã nhận mặt trước" in said and "mặt sau" in said
    said = citizen.says("xong")  # one side only: not enough for a card
    assert "cần 2 ảnh" in said and "mặt sau" in said and citizen.state.doc == ID_CARD
    said = citizen.sends_photo()
    # Both sides in: the card is full, so the review comes without another word.
    assert "Đã nhận 2 ảnh" in said and citizen.effects[-1][0] == "load_application"
    assert citizen.state.flow == "review"
    assert citizen.state.docs == {BIRTH_NOTICE: 3, MARRIAGE: 1, ID_CARD: 2}


def test_done_words_people_type() -> None:
    for words in ("xong", "xong roi", "het roi", "done", "đủ rồi", "Xong rồi ạ", "xong nhé cháu"):
        citizen = at_papers()
        citizen.sends_photo()
        citizen.says(words)
        assert citizen.state.doc == MARRIAGE, words


def test_typed_words_at_the_photo_step_are_never_a_dead_end() -> None:
    citizen = at_papers()
    for words in ("ủa cái này là sao", "abc", "chup o dau"):
        said = citizen.says(words)
        assert "bấm nút máy ảnh" not in said and "camera" not in said
        assert "Giấy chứng sinh" in said and citizen.state.doc == BIRTH_NOTICE, said
        assert citizen.state.flow == "documents"
        assert citizen.replies[-1].flat_buttons, "the step keeps its buttons"


def test_a_photo_is_removed_and_replaced_by_typed_words() -> None:
    citizen = at_papers()
    citizen.sends_photo(3)
    first, second, third = citizen.ids(BIRTH_NOTICE)

    said = citizen.says("xoa anh 2")
    assert citizen.effects[-1] == ("remove_document", {"app_id": "b" * 32, "doc_id": second})
    assert "Đã bỏ ảnh 2" in said and citizen.ids(BIRTH_NOTICE) == [first, third]

    said = citizen.says("bỏ ảnh cuối")
    assert citizen.portal.removed == [second, third] and citizen.ids(BIRTH_NOTICE) == [first]
    assert "Còn 1 ảnh" in said  # the counter follows

    citizen.sends_photo()
    _, new = citizen.ids(BIRTH_NOTICE)
    said = citizen.says("chụp lại ảnh 1")
    assert "Bác gửi ảnh mới" in said and citizen.ids(BIRTH_NOTICE) == [new]
    citizen.sends_photo()
    replacement = citizen.ids(BIRTH_NOTICE)[0]
    # The new photo takes the removed one's place.
    assert citizen.ids(BIRTH_NOTICE) == [replacement, new] and replacement > new

    said = citizen.says("xoa anh 7")
    assert "chỉ có 2 ảnh" in said and citizen.ids(BIRTH_NOTICE) == [replacement, new]
    citizen.says("chup lai")  # the last photo by default
    assert citizen.portal.removed[-1] == new and citizen.state.replacing == 1


def test_words_that_only_look_like_a_command_remove_nothing() -> None:
    citizen = at_papers()
    citizen.sends_photo()
    for words in ("thấy rồi", "đợi chút", "thay đổi gì không"):
        citizen.says(words)
        assert citizen.portal.removed == [] and len(citizen.ids(BIRTH_NOTICE)) == 1, words


def test_a_card_names_its_sides_and_a_side_is_retaken() -> None:
    citizen = at_papers()
    citizen.sends_photo()
    citizen.says("xong")
    citizen.sends_photo()
    citizen.says("xong")
    assert citizen.state.doc == ID_CARD and "mặt trước" in citizen.text
    citizen.sends_photo()
    front = citizen.ids(ID_CARD)[0]
    said = citizen.says("chụp lại mặt trước")
    assert citizen.portal.removed == [front]
    assert "Đã bỏ mặt trước" in said and "chụp mặt trước" in said
    citizen.sends_photo()
    new_front = citizen.ids(ID_CARD)[0]
    assert new_front != front and "mặt sau" in citizen.text
    citizen.sends_photo()
    assert citizen.state.flow == "review" and citizen.ids(ID_CARD)[0] == new_front


def test_a_full_paper_offers_to_replace_a_photo() -> None:
    citizen = at_papers("marriage_registration")
    assert citizen.state.doc == "husband_id_card"
    citizen.sends_photo(2)  # both sides: on to the wife's card at once
    assert citizen.state.doc == "wife_id_card"
    front, back = citizen.ids("husband_id_card")
    citizen.says("quay lại")  # back to the husband's card, which is full
    assert citizen.state.doc == "husband_id_card" and "đã đủ ảnh" in citizen.text
    said = citizen.sends_photo()
    assert "đã đủ 2 ảnh" in said and "thay ảnh nào" in said
    citizen.says("mặt sau")
    assert citizen.portal.removed == [back]
    new_front, new_back = citizen.ids("husband_id_card")
    assert new_front == front and new_back not in (front, back)
    assert citizen.state.doc == "wife_id_card"


def test_photos_sent_on_the_procedure_card_are_kept_for_the_first_paper() -> None:
    citizen = at_papers()
    ctx = catalog_context()
    step = handle(State(greeted=True, lang_chosen=True), Text("làm giấy khai sinh"), ctx)
    card = step.replies[-1].text
    citizen.state = step.state
    said = citizen.sends_photo()
    assert len(said) < 100 and card not in said  # no repeated card
    assert citizen.state.flow == "checklist" and len(citizen.state.early) == 1
    citizen.says("bắt đầu")
    citizen.says("đồng ý")
    assert "dùng ảnh Bác gửi lúc nãy" in citizen.text and "Đã nhận 1 ảnh" in citizen.text
    assert citizen.state.doc == BIRTH_NOTICE and len(citizen.ids(BIRTH_NOTICE)) == 1
    assert citizen.state.early == []


def test_an_album_larger_than_the_paper_keeps_what_fits() -> None:
    citizen = at_papers("marriage_registration")
    said = citizen.sends_photo(3)  # the portal would refuse a third photo of a card
    assert "chỉ cần 2 ảnh" in said
    assert len(citizen.ids("husband_id_card")) == 2 and citizen.state.doc == "wife_id_card"
    assert len(citizen.portal.documents) == 2


def test_no_message_of_the_photos_step_is_longer_than_300_characters() -> None:
    for slug in catalog_context().procedures:
        citizen = at_papers(slug)
        seen = list(citizen.replies)
        for _ in range(8):
            if citizen.state.flow != "documents":
                break
            citizen.sends_photo()
            seen += citizen.replies
            citizen.says("abc")
            seen += citizen.replies
            citizen.says("xong")
            seen += citizen.replies
        long = [r.text for r in seen if len(r.text) > 300 and not r.text.startswith("Bác xem lại")]
        assert long == [], (slug, long)


def test_photos_kept_for_a_procedure_left_for_another_are_not_used() -> None:
    citizen = at_papers("certified_copy")
    ctx = citizen.ctx
    step = handle(State(greeted=True, lang_chosen=True), Text("làm giấy khai sinh"), ctx)
    citizen.state = step.state
    citizen.sends_photo()
    assert citizen.state.early[0]["for"] == "birth_registration"
    citizen.says("chứng thực bản sao")
    citizen.says("bắt đầu")
    citizen.says("đồng ý")
    assert citizen.state.procedure == "certified_copy" and citizen.state.flow == "documents"
    assert citizen.portal.documents == [] and citizen.state.early == []


def test_how_people_name_a_photo() -> None:
    cases = {
        "xoá ảnh số 2": ("remove", 1),
        "bỏ tấm cuối cùng": ("remove", 2),
        "xoa cai anh thu nhat": ("remove", 0),
        "xoá ảnh 9": ("remove", None),  # there is no ninth photo: nothing is removed
        "delete photo 1": ("remove", 0),
        "remove the last photo": ("remove", 2),
        "chụp lại ảnh hai": ("replace", 1),
        "gửi lại ảnh khác": ("replace", 2),
        "retake photo 3": ("replace", 2),
    }
    for words, (how, index) in cases.items():
        citizen = at_papers()
        citizen.sends_photo(3)
        ids = citizen.ids(BIRTH_NOTICE)
        citizen.says(words)
        if index is None:
            assert citizen.portal.removed == [], words
            continue
        assert citizen.portal.removed == [ids[index]], words
        assert (citizen.state.replacing == index) is (how == "replace"), words


def test_the_portals_rule_wins_over_the_bots_copy_of_the_catalog() -> None:
    citizen = at_papers()
    body = citizen.portal.body()
    for rule in body["document_rules"]:
        if rule["code"] == BIRTH_NOTICE:
            rule["max_files"] = 2  # the bot's catalog says 10
    citizen.state.pending = "load_application:resume"
    citizen.turn(EffectResult("load_application", True, body))
    assert citizen.state.doc == BIRTH_NOTICE
    citizen.sends_photo(2)
    assert citizen.state.doc == MARRIAGE  # full by the portal's count: on by itself


def test_a_photo_offered_to_a_full_paper_goes_nowhere_else() -> None:
    citizen = at_papers("marriage_registration")
    citizen.sends_photo(2)
    citizen.says("quay lại")
    citizen.sends_photo()  # the husband's card is full: replace one?
    citizen.says("quay lại")  # no: back to the last answer instead
    assert citizen.state.flow == "form" and len(citizen.portal.documents) == 2
    citizen.says("0905 123 456")  # the same answer again: on to the papers
    assert citizen.state.doc == "wife_id_card" and citizen.state.early == []
    assert len(citizen.portal.documents) == 2  # the offered photo went nowhere
