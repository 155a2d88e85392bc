"""Negation and self-correction: the last mention that is not denied wins."""

from __future__ import annotations

import pytest

from nlu import EmbeddedNLU


def _procedures(engine: EmbeddedNLU, text: str) -> list[str]:
    return [e["value"] for e in engine.parse(text)["entities"] if e["entity"] == "procedure"]


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        ("không phải khai tử mà là khai sinh", "birth_registration"),
        ("khong phai khai tu ma la khai sinh", "birth_registration"),
        ("khai tử à nhầm, khai sinh", "birth_registration"),
        ("tạm trú, à không, thường trú", "permanent_residence"),
        ("tui không cần công chứng, tui cần chứng thực chữ ký", "signature_certification"),
        ("kết hôn chứ không phải giấy độc thân", "marriage_registration"),
        ("not a death certificate but a birth certificate", "birth_registration"),
        ("I don't need temporary residence, I need permanent residence", "permanent_residence"),
        ("xin giấy độc thân để kết hôn", "marital_status_certificate"),
        ("tui nói lộn, không phải tiền già mà là hộ kinh doanh", "household_business"),
        ("làm kết hôn có cần mang hộ khẩu không", "marriage_registration"),
        (
            "khai sinh cho cháu thì mang theo giấy chứng sinh và giấy kết hôn của bố mẹ hả",
            "birth_registration",
        ),
    ],
)
def test_corrections(engine: EmbeddedNLU, text: str, procedure: str) -> None:
    assert _procedures(engine, text) == [procedure]


def test_only_a_denied_procedure_gives_none(engine: EmbeddedNLU) -> None:
    assert _procedures(engine, "không phải khai tử") == []


def test_questions_with_khong_are_not_negations(engine: EmbeddedNLU) -> None:
    assert _procedures(engine, "làm khai sinh có mất tiền không") == ["birth_registration"]
    assert _procedures(engine, "tui không biết làm khai sinh") == ["birth_registration"]


def test_fuzzy_fallback_for_run_together_words(engine: EmbeddedNLU) -> None:
    result = engine.parse("dangky khaisinh cho chau")
    (proc,) = [e for e in result["entities"] if e["entity"] == "procedure"]
    assert proc["value"] == "birth_registration"
    assert proc["confidence"] < 1.0
