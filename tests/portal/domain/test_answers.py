from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.catalog.schema import Condition, Procedure
from portal.domain.answers import (
    active_fields,
    evaluate_condition,
    parse_answer,
    validate_answers,
)
from portal.domain.problems import FieldProblem

TODAY = date(2026, 3, 2)


def text(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def make_procedure(fields: list[dict[str, Any]]) -> Procedure:
    return Procedure.model_validate(
        {
            "slug": "test_procedure",
            "name": text("Thủ tục thử", "Test procedure"),
            "category": "civil_status",
            "agency": text("UBND phường", "Ward People's Committee"),
            "legal_basis": ["Law 60/2014/QH13"],
            "online_level": "full",
            "processing": {"kind": "same_day"},
            "fee": {"kind": "free"},
            "fields": fields,
            "documents": [],
            "result": text("Nhận tại phường", "Collect at the ward"),
        }
    )


FIELDS: list[dict[str, Any]] = [
    {
        "name": "full_name",
        "type": "text",
        "label": text("Họ và tên", "Full name"),
        "max_length": 40,
    },
    {"name": "dob", "type": "date", "label": text("Ngày sinh", "Date of birth")},
    {
        "name": "citizen_id",
        "type": "citizen_id",
        "label": text("Số CCCD", "Citizen ID"),
        "dob_field": "dob",
    },
    {"name": "phone", "type": "phone", "label": text("Số điện thoại", "Phone"), "required": False},
    {
        "name": "relationship",
        "type": "choice",
        "label": text("Quan hệ", "Relationship"),
        "choices": [
            {"value": "self", "label": text("Bản thân", "Myself")},
            {"value": "parent", "label": text("Cha hoặc mẹ", "Father or mother")},
            {"value": "other", "label": text("Người khác", "Someone else")},
        ],
    },
    {
        "name": "relationship_note",
        "type": "text",
        "label": text("Quan hệ thế nào", "Which relationship"),
        "when": {"field": "relationship", "op": "eq", "value": "other"},
    },
    {
        "name": "child_dob",
        "type": "date",
        "label": text("Ngày sinh của cháu", "Child's date of birth"),
        "when": {"field": "relationship", "op": "in", "value": ["parent", "other"]},
    },
    {
        "name": "late_reason",
        "type": "text",
        "label": text("Lý do đăng ký muộn", "Reason for late registration"),
        "when": {"field": "child_dob", "op": "older_than_days", "value": 60},
    },
    {
        "name": "copies",
        "type": "number",
        "label": text("Số bản sao", "Copies"),
        "min": 1,
        "max": 10,
    },
    {
        "name": "married",
        "type": "choice",
        "label": text("Cha mẹ đã đăng ký kết hôn?", "Parents married?"),
        "choices": [
            {"value": "yes", "label": text("Có", "Yes")},
            {"value": "no", "label": text("Không", "No")},
        ],
        "required": False,
    },
    {
        "name": "marriage_number",
        "type": "text",
        "label": text("Số giấy kết hôn", "Marriage certificate number"),
        "when": {"field": "married", "op": "eq", "value": True},
    },
    {
        "name": "appointment",
        "type": "date",
        "label": text("Ngày hẹn", "Appointment"),
        "not_future": False,
        "required": False,
    },
    {"name": "address", "type": "address", "label": text("Địa chỉ", "Address"), "max_length": 80},
]
PROC = make_procedure(FIELDS)

VALID: dict[str, object] = {
    "full_name": "  Nguyễn Thị Lan ",
    "dob": "5/3/1950",
    "citizen_id": "046 150 012 345",
    "phone": "+84 912 345 678",
    "relationship": "cha hoac me",
    "child_dob": "ngày 20 tháng 2 năm 2026",
    "copies": "2",
    "married": "Có",
    "marriage_number": "12/2020",
    "address": "12 Lê Lợi, Phú Xuân, Huế",
}
CLEANED = {
    "full_name": "Nguyễn Thị Lan",
    "dob": "1950-03-05",
    "citizen_id": "046150012345",
    "phone": "0912345678",
    "relationship": "parent",
    "child_dob": "2026-02-20",
    "copies": 2,
    "married": "yes",
    "marriage_number": "12/2020",
    "address": "12 Lê Lợi, Phú Xuân, Huế",
}


def codes(result: Any) -> dict[str, str]:
    return {e.field: e.code for e in result.errors}


def test_valid_answers_are_cleaned() -> None:
    result = validate_answers(PROC, VALID, today=TODAY, partial=False)
    assert result.errors == []
    assert result.ok
    assert result.cleaned == CLEANED


def test_cleaned_answers_validate_to_themselves() -> None:
    result = validate_answers(PROC, CLEANED, today=TODAY, partial=False)
    assert result.errors == []
    assert result.cleaned == CLEANED


def test_every_error_is_reported_together() -> None:
    answers = {
        "full_name": "x" * 41,
        "dob": "31/2/1950",
        "citizen_id": "191234567",
        "phone": "0951234567",
        "relationship": "hàng xóm",
        "copies": "11",
        "address": "   ",
        "shoe_size": "42",
    }
    result = validate_answers(PROC, answers, today=TODAY, partial=True)
    assert codes(result) == {
        "shoe_size": "unknown_field",
        "full_name": "too_long",
        "dob": "date_invalid",
        "citizen_id": "citizen_id_old",
        "phone": "phone_prefix",
        "relationship": "choice_invalid",
        "copies": "number_too_large",
        "address": "blank",
    }
    assert result.errors[0].field == "shoe_size"
    for error in result.errors:
        assert error.message["vi"] and error.message["en"]
        assert error.message["vi"] != error.message["en"]
    assert result.cleaned == {}


def test_partial_allows_missing_required_answers() -> None:
    result = validate_answers(PROC, {"full_name": "Lan"}, today=TODAY, partial=True)
    assert result.errors == []
    assert result.cleaned == {"full_name": "Lan"}


def test_complete_requires_every_active_required_field() -> None:
    result = validate_answers(PROC, {"full_name": "Lan"}, today=TODAY, partial=False)
    assert codes(result) == {
        "dob": "required",
        "citizen_id": "required",
        "relationship": "required",
        "copies": "required",
        "address": "required",
    }
    # The message names the question in each language.
    message = next(e.message for e in result.errors if e.field == "dob")
    assert "Ngày sinh" in message["vi"] and "Date of birth" in message["en"]


def test_required_includes_fields_activated_by_conditions() -> None:
    answers = {**CLEANED, "relationship": "other"}
    del answers["child_dob"]
    result = validate_answers(PROC, answers, today=TODAY, partial=False)
    assert codes(result) == {"relationship_note": "required", "child_dob": "required"}


def test_answers_to_inactive_fields_are_dropped_without_error() -> None:
    answers = {**VALID, "relationship": "self", "relationship_note": "", "late_reason": "x"}
    result = validate_answers(PROC, answers, today=TODAY, partial=False)
    assert result.errors == []
    assert "child_dob" not in result.cleaned
    assert "relationship_note" not in result.cleaned
    assert "late_reason" not in result.cleaned


def test_condition_chains_follow_the_referenced_field() -> None:
    # late_reason depends on child_dob, which is not asked for "self": even an old
    # child_dob must not make late_reason active.
    answers = {**CLEANED, "relationship": "self", "child_dob": "2020-01-01", "late_reason": "x"}
    result = validate_answers(PROC, answers, today=TODAY, partial=False)
    assert result.errors == []
    assert "late_reason" not in result.cleaned


@pytest.mark.parametrize(("age", "asked"), [(0, False), (60, False), (61, True), (400, True)])
def test_older_than_days_boundary(age: int, asked: bool) -> None:
    child_dob = (TODAY - timedelta(days=age)).isoformat()
    answers = {**CLEANED, "child_dob": child_dob}
    result = validate_answers(PROC, answers, today=TODAY, partial=False)
    assert ("late_reason" in codes(result)) is asked
    names = [f.name for f in active_fields(PROC, result.cleaned, TODAY)]
    assert ("late_reason" in names) is asked


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("parent", "parent"),
        ("PARENT", "parent"),
        ("Cha hoặc mẹ", "parent"),
        ("cha hoac me", "parent"),
        ("  CHA HOẶC  MẸ ", "parent"),
        ("Father or mother", "parent"),
        ("nguoi khac", "other"),
        ("bản thân", "self"),
        ("myself", "self"),
    ],
)
def test_choice_by_value_or_either_label(typed: str, value: str) -> None:
    fld = PROC.fields[4]
    assert parse_answer(fld, typed, today=TODAY) == value


def test_choice_problem_lists_the_options() -> None:
    with pytest.raises(FieldProblem) as info:
        parse_answer(PROC.fields[4], "cha", today=TODAY)
    assert info.value.code == "choice_invalid"
    assert "Cha hoặc mẹ" in info.value.message["vi"]
    assert "Father or mother" in info.value.message["en"]


def test_ambiguous_choice_labels_are_refused() -> None:
    proc = make_procedure(
        [
            {
                "name": "side",
                "type": "choice",
                "label": text("Bên", "Side"),
                "choices": [
                    {"value": "paternal", "label": text("Bên nội", "Father's side")},
                    {"value": "place", "label": text("Bến nơi", "Place")},
                ],
            }
        ]
    )
    assert parse_answer(proc.fields[0], "Bên nội", today=TODAY) == "paternal"
    assert parse_answer(proc.fields[0], "bến nơi", today=TODAY) == "place"
    with pytest.raises(FieldProblem):
        parse_answer(proc.fields[0], "ben noi", today=TODAY)


def test_citizen_id_must_agree_with_date_of_birth() -> None:
    answers = {**CLEANED, "citizen_id": "046151012345"}
    result = validate_answers(PROC, answers, today=TODAY, partial=True)
    assert codes(result) == {"citizen_id": "citizen_id_dob_mismatch"}
    assert "1950" in result.errors[0].message["vi"]
    # Without a date of birth there is nothing to compare with.
    answers.pop("dob")
    assert validate_answers(PROC, answers, today=TODAY, partial=True).errors == []


def test_citizen_id_with_a_future_year() -> None:
    result = validate_answers(PROC, {"citizen_id": "046230012345"}, today=TODAY, partial=True)
    assert codes(result) == {"citizen_id": "citizen_id_future"}


def test_dates_not_in_the_future_unless_allowed() -> None:
    tomorrow = (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")
    result = validate_answers(
        PROC, {"dob": tomorrow, "appointment": tomorrow}, today=TODAY, partial=True
    )
    assert codes(result) == {"dob": "date_future"}
    assert result.cleaned == {"appointment": (TODAY + timedelta(days=1)).isoformat()}
    today = validate_answers(PROC, {"dob": TODAY.strftime("%d/%m/%Y")}, today=TODAY, partial=True)
    assert today.errors == []


def test_date_objects_are_accepted() -> None:
    fld = PROC.fields[1]
    assert parse_answer(fld, date(1950, 3, 5), today=TODAY) == "1950-03-05"
    assert parse_answer(fld, datetime(1950, 3, 5, 8, 0), today=TODAY) == "1950-03-05"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("3", 3), (" 3 ", 3), (3, 3), (3.0, 3), ("１０", 10), ("+2", 2)],
)
def test_numbers(typed: object, expected: int) -> None:
    assert parse_answer(PROC.fields[8], typed, today=TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("0", "number_too_small"),
        ("-1", "number_too_small"),
        ("11", "number_too_large"),
        ("1.000", "number_too_large"),
        ("2.5", "number_format"),
        (2.5, "invalid_type"),
        ("hai", "number_format"),
        (True, "invalid_type"),
        ([1], "invalid_type"),
    ],
)
def test_number_problems(typed: object, code: str) -> None:
    with pytest.raises(FieldProblem) as info:
        parse_answer(PROC.fields[8], typed, today=TODAY)
    assert info.value.code == code


def test_thousand_separators() -> None:
    proc = make_procedure([{"name": "pages", "type": "number", "label": text("Trang", "Pages")}])
    for typed in ("1.000", "1,000", "1 000", "1000"):
        assert parse_answer(proc.fields[0], typed, today=TODAY) == 1000


def test_text_is_stripped_and_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "  Nguyễn Thị Lan\n")
    cleaned = parse_answer(PROC.fields[0], decomposed, today=TODAY)
    assert cleaned == "Nguyễn Thị Lan"
    assert cleaned == unicodedata.normalize("NFC", "Nguyễn Thị Lan")


def test_text_length_counts_characters_after_nfc() -> None:
    # 40 composed characters, far more code points when decomposed: still accepted.
    name = "Nguyễn Thị Lan Hương Phước Thủy Tường Vy"[:40]
    assert parse_answer(PROC.fields[0], unicodedata.normalize("NFD", name), today=TODAY) == name


def test_blank_answers() -> None:
    result = validate_answers(PROC, {"phone": "  ", "full_name": ""}, today=TODAY, partial=True)
    assert codes(result) == {"full_name": "blank"}
    assert "phone" not in result.cleaned
    assert validate_answers(PROC, {"phone": None}, today=TODAY, partial=True).errors == []


def test_non_text_answers_are_refused() -> None:
    result = validate_answers(
        PROC, {"full_name": 12, "relationship": ["parent"]}, today=TODAY, partial=True
    )
    assert codes(result) == {"full_name": "invalid_type", "relationship": "invalid_type"}


def test_phone_accepts_int_but_id_does_not() -> None:
    assert parse_answer(PROC.fields[3], 912345678, today=TODAY) == "0912345678"
    with pytest.raises(FieldProblem):
        parse_answer(PROC.fields[2], 46150012345, today=TODAY)


# --- conditions ------------------------------------------------------------------


def cond(op: str, value: object, field: str = "f") -> Condition:
    return Condition.model_validate({"field": field, "op": op, "value": value})


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        (cond("eq", "a"), {"f": "a"}, True),
        (cond("eq", "a"), {"f": "b"}, False),
        (cond("eq", 3), {"f": 3}, True),
        (cond("eq", "3"), {"f": 3}, True),
        (cond("eq", 3), {"f": "3"}, True),
        (cond("eq", True), {"f": "yes"}, True),
        (cond("eq", True), {"f": "co"}, True),
        (cond("eq", True), {"f": "no"}, False),
        (cond("eq", False), {"f": "no"}, True),
        (cond("eq", False), {"f": "khong"}, True),
        (cond("eq", False), {"f": "yes"}, False),
        (cond("ne", "a"), {"f": "b"}, True),
        (cond("ne", "a"), {"f": "a"}, False),
        (cond("ne", "a"), {}, False),
        (cond("eq", "a"), {}, False),
        (cond("eq", ""), {"f": ""}, False),
        (cond("in", ["a", "b"]), {"f": "b"}, True),
        (cond("in", ["a", "b"]), {"f": "c"}, False),
        (cond("in", "a"), {"f": "a"}, True),
        (cond("within_days", 60), {"f": "2026-01-01"}, True),  # 60 days before TODAY
        (cond("within_days", 60), {"f": "2025-12-31"}, False),
        (cond("within_days", 60), {"f": "2026-03-10"}, True),  # a later date
        (cond("older_than_days", 60), {"f": "2025-12-31"}, True),
        (cond("older_than_days", 60), {"f": "2026-01-01"}, False),
        (cond("older_than_days", 60), {"f": date(2025, 12, 31)}, True),
        (cond("older_than_days", 60), {"f": "not a date"}, False),
        (cond("within_days", 60), {}, False),
    ],
)
def test_evaluate_condition(
    condition: Condition, answers: dict[str, object], expected: bool
) -> None:
    assert (TODAY - date(2026, 1, 1)).days == 60
    assert evaluate_condition(condition, answers, TODAY) is expected


def test_condition_with_bad_days_value_is_a_catalog_error() -> None:
    with pytest.raises(ValueError):
        evaluate_condition(cond("within_days", "sixty"), {"f": "2026-01-01"}, TODAY)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=400),
)
def test_within_and_older_are_complements(d: date, days: int) -> None:
    answers = {"f": d.isoformat()}
    within = evaluate_condition(cond("within_days", days), answers, TODAY)
    older = evaluate_condition(cond("older_than_days", days), answers, TODAY)
    assert within != older


def test_active_fields_in_form_order() -> None:
    names = [f.name for f in active_fields(PROC, {"relationship": "other"}, TODAY)]
    assert names == [
        "full_name",
        "dob",
        "citizen_id",
        "phone",
        "relationship",
        "relationship_note",
        "child_dob",
        "copies",
        "married",
        "appointment",
        "address",
    ]
    names = [f.name for f in active_fields(PROC, {}, TODAY)]
    assert "relationship_note" not in names and "child_dob" not in names


def test_condition_cycles_are_never_asked() -> None:
    proc = make_procedure(
        [
            {
                "name": "a",
                "type": "text",
                "label": text("A", "A"),
                "when": {"field": "b", "op": "eq", "value": "x"},
            },
            {
                "name": "b",
                "type": "text",
                "label": text("B", "B"),
                "when": {"field": "a", "op": "eq", "value": "x"},
            },
            {"name": "c", "type": "text", "label": text("C", "C")},
        ]
    )
    assert [f.name for f in active_fields(proc, {"a": "x", "b": "x"}, TODAY)] == ["c"]


# --- idempotence ---------------------------------------------------------------------


@given(
    dob=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    serial=st.integers(min_value=0, max_value=999_999),
    phone_rest=st.integers(min_value=0, max_value=9_999_999),
    copies=st.integers(min_value=1, max_value=10),
    name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != ""),
    relationship=st.sampled_from(["self", "parent", "other"]),
)
def test_validation_is_idempotent(
    dob: date, serial: int, phone_rest: int, copies: int, name: str, relationship: str
) -> None:
    g = 2 * ((dob.year - 1900) // 100) + 1
    answers: dict[str, object] = {
        "full_name": name,
        "dob": dob.strftime("%d/%m/%Y"),
        "citizen_id": f"046{g}{dob.year % 100:02d}{serial:06d}",
        "phone": f"+84 9{phone_rest:08d}"[:13],
        "relationship": relationship,
        "relationship_note": "hàng xóm",
        "child_dob": "1/2/2026",
        "copies": str(copies),
        "address": "Huế",
    }
    first = validate_answers(PROC, answers, today=TODAY, partial=True)
    second = validate_answers(PROC, first.cleaned, today=TODAY, partial=True)
    assert second.cleaned == first.cleaned
    # Every cleaned value is valid again (the ID agrees with the date of birth by
    # construction, so no cross-field error either).
    assert second.errors == []
