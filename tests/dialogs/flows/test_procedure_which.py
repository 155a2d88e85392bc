"""Two procedures named about as strongly: "Ý Bác là A hay B?", answered by typing."""

from __future__ import annotations

import pytest

from tests.dialogs.flows.conftest import Typist


def test_two_procedures_named_alike_are_asked_about(typist: Typist) -> None:
    typist.says("tôi muốn làm khai sinh hay kết hôn")
    assert typist.state.flow == "choose" and typist.state.procedure is None
    assert "Ý Bác là" in typist.text and " hay " in typist.text
    lettered = [label for label, _ in typist.state.choices if label[:3] in ("A. ", "B. ")]
    assert lettered == ["A. Khai sinh", "B. Kết hôn"]


@pytest.mark.parametrize(
    ("answer", "slug"),
    [
        ("A", "birth_registration"),
        ("chọn b", "marriage_registration"),
        ("cái đầu", "birth_registration"),
        ("số hai", "marriage_registration"),
        ("kết hôn", "marriage_registration"),
    ],
)
def test_the_answer_is_typed(typist: Typist, answer: str, slug: str) -> None:
    typist.says("tôi muốn làm khai sinh hay kết hôn")
    typist.says(answer)
    assert typist.state.flow == "checklist" and typist.state.procedure == slug


def test_one_clear_procedure_goes_straight_to_its_card(typist: Typist) -> None:
    # the object of the request and a purpose: no question, the object wins
    typist.says("xin trích lục kết hôn để nộp kèm hồ sơ đăng ký thường trú")
    assert typist.state.flow == "checklist"
    assert typist.state.procedure == "civil_status_extract"
