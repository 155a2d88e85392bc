"""Finding a procedure, its card, consent and resuming a draft, by typed words only."""

from __future__ import annotations

from tests.dialogs.flows.conftest import Typist


def test_start_and_consent_typed_the_way_people_type(typist: Typist) -> None:
    typist.says("làm giấy khai sinh cho cháu")
    assert typist.state.flow == "checklist"
    typist.says("ừ, làm đi cháu")
    assert typist.state.flow == "consent"
    typist.says("dong y")
    assert typist.effects == ["create_draft"] and typist.state.flow == "form"


def test_words_that_fit_nothing_on_the_card_ask_the_card_again(typist: Typist) -> None:
    typist.says("khai sinh")
    typist.says("hmm để tôi xem")
    assert typist.state.flow == "checklist" and typist.state.procedure == "birth_registration"
    assert "chưa hiểu" in typist.text and "Bắt đầu" in str(typist.replies[-1].buttons)


def test_a_question_on_the_card_is_answered_and_the_card_stays(typist: Typist) -> None:
    typist.says("khai sinh")
    typist.says("lệ phí bao nhiêu?")
    assert "Lệ phí" in typist.text
    assert typist.state.flow == "checklist" and typist.state.procedure == "birth_registration"


def test_later_and_no_consent(typist: Typist) -> None:
    typist.says("công chứng")
    typist.says("bat dau")
    typist.says("khong dong y")
    assert typist.state.flow == "menu" and not typist.state.consent
    assert "create_draft" not in typist.effects


def test_a_draft_is_resumed_by_typing(typist: Typist) -> None:
    typist.says("khai sinh")
    typist.says("bắt đầu")
    typist.says("đồng ý")
    typist.says("Nguyễn Thị Minh An")
    typist.says("về đầu")
    assert typist.state.flow == "menu" and typist.state.drafts
    typist.says("khai sinh")
    assert "làm dở" in typist.text
    typist.says("lam tiep")
    assert typist.state.flow == "form" and typist.state.field == "child_sex"


def test_a_procedure_named_at_the_groups_goes_straight_to_it(typist: Typist) -> None:
    typist.says("xin chào")
    typist.says("nộp hồ sơ mới")
    assert typist.state.flow == "choose"
    typist.says("khai tử")
    assert typist.state.flow == "checklist" and typist.state.procedure == "death_registration"
