"""The menu and the escapes that work at every step, typed."""

from __future__ import annotations

from tests.dialogs.flows.conftest import Typist


def _at_a_date_question(typist: Typist) -> None:
    typist.says("khai sinh")
    typist.says("bắt đầu")
    typist.says("đồng ý")
    typist.says("Nguyễn Thị Minh An")
    typist.says("gái")
    assert typist.state.field == "child_dob"


def test_home_from_a_date_question(typist: Typist) -> None:
    _at_a_date_question(typist)
    typist.says("ve dau")
    assert typist.state.flow == "menu"


def test_back_from_a_date_question(typist: Typist) -> None:
    _at_a_date_question(typist)
    typist.says("quay lại")
    assert typist.state.flow == "form" and typist.state.field == "child_sex"


def test_a_tracking_code_at_a_date_question_looks_it_up(typist: Typist) -> None:
    _at_a_date_question(typist)
    typist.says("PX-2026-7Q4K9M")
    assert "track" in typist.effects or typist.state.pending == "track"


def test_cancel_is_confirmed_first(typist: Typist) -> None:
    _at_a_date_question(typist)
    typist.says("hủy")
    assert typist.state.flow == "confirm_cancel"
    typist.says("tiếp tục")
    assert typist.state.flow == "form" and typist.state.field == "child_dob"


def test_language_and_my_applications_are_escapes_too(typist: Typist) -> None:
    _at_a_date_question(typist)
    typist.says("tiếng anh")
    assert typist.state.lang == "en" and typist.state.field == "child_dob"
    assert "date of birth" in typist.text
    typist.says("my applications")
    assert typist.state.pending == "list_mine" or "list_mine" in typist.effects


def test_a_name_that_is_also_an_escape_is_asked_about_once(typist: Typist) -> None:
    typist.says("khai sinh")
    typist.says("bắt đầu")
    typist.says("đồng ý")
    typist.says("Huy")
    assert typist.state.flow == "form" and "save_answers" not in typist.effects
    assert '"Huy"' in typist.text
    typist.says("đúng rồi")
    assert typist.state.answers["child_name"] == "Huy" and typist.state.field == "child_sex"
    # With its diacritics it is the escape, at once.
    typist.says("hủy")
    assert typist.state.flow == "confirm_cancel"


def test_a_menu_entry_typed_works_even_before_the_menu_was_shown(typist: Typist) -> None:
    typist.says("nộp hồ sơ mới")
    assert typist.state.flow == "choose"


def test_a_button_number_at_a_date_question_presses_it(typist: Typist) -> None:
    _at_a_date_question(typist)
    labels = [label for label, _ in typist.state.choices]
    assert "Về đầu" in labels[1]
    typist.says("2")  # no date is one digit: the second button, as the terminal numbers them
    assert typist.state.flow == "menu"
