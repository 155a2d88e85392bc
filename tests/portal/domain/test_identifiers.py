from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.identifiers import (
    MOBILE_PREFIXES,
    PROVINCE_CODES,
    CitizenIdBirth,
    check_citizen_id_against_dob,
    citizen_id_birth,
    citizen_id_birth_year,
    normalize_citizen_id,
    normalize_phone,
    phone_kind,
)
from portal.domain.problems import FieldProblem


def problem_code(fn: object, *args: object, **kwargs: object) -> str:
    assert callable(fn)
    with pytest.raises(FieldProblem) as info:
        fn(*args, **kwargs)
    message = info.value.message
    assert message["vi"] and message["en"] and message["vi"] != message["en"]
    return info.value.code


# --- citizen ID --------------------------------------------------------------


def test_province_list_is_the_63_pre_2025_provinces() -> None:
    assert len(PROVINCE_CODES) == 63
    assert {"001", "046", "079", "096"} <= PROVINCE_CODES
    assert not {"000", "003", "097", "050"} & PROVINCE_CODES


@pytest.mark.parametrize(
    "typed",
    [
        "046150012345",
        "046 150 012 345",
        "046.150.012.345",
        "046-150-012345",
        " 046150012345 ",
        "０４６１５００１２３４５",
    ],
)
def test_normalize_citizen_id_accepts_separators(typed: str) -> None:
    assert normalize_citizen_id(typed) == "046150012345"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("191234567", "citizen_id_old"),
        ("191 234 567", "citizen_id_old"),
        ("04615001234", "citizen_id_format"),
        ("0461500123456", "citizen_id_format"),
        ("04615001234A", "citizen_id_format"),
        ("", "citizen_id_format"),
        ("003150012345", "citizen_id_province"),
        ("097150012345", "citizen_id_province"),
        ("٠٤٦١٥٠٠١٢٣٤٥", "citizen_id_format"),  # Arabic-Indic digits are not ID digits
    ],
)
def test_normalize_citizen_id_problems(typed: str, code: str) -> None:
    assert problem_code(normalize_citizen_id, typed) == code


def test_old_id_message_says_what_to_do() -> None:
    with pytest.raises(FieldProblem) as info:
        normalize_citizen_id("191234567")
    assert "12" in info.value.message["en"] and "12" in info.value.message["vi"]
    assert "CCCD" in info.value.message["vi"]


def test_wrong_length_message_counts_digits() -> None:
    with pytest.raises(FieldProblem) as info:
        normalize_citizen_id("0461500123")
    assert "10" in info.value.message["en"] and "10" in info.value.message["vi"]


def test_citizen_id_with_a_future_birth_year() -> None:
    today = date(2026, 3, 1)
    assert normalize_citizen_id("046226012345", today=today) == "046226012345"
    assert problem_code(normalize_citizen_id, "046227012345", today=today) == "citizen_id_future"
    assert problem_code(normalize_citizen_id, "046450012345", today=today) == "citizen_id_future"
    assert normalize_citizen_id("046227012345") == "046227012345"


@pytest.mark.parametrize(
    ("cid", "expected", "year"),
    [
        ("046050012345", CitizenIdBirth(1900, "male"), 1950),
        ("046150012345", CitizenIdBirth(1900, "female"), 1950),
        ("046220012345", CitizenIdBirth(2000, "male"), 2020),
        ("046399012345", CitizenIdBirth(2000, "female"), 2099),
        ("046401012345", CitizenIdBirth(2100, "male"), 2101),
        ("046501012345", CitizenIdBirth(2100, "female"), 2101),
    ],
)
def test_citizen_id_birth(cid: str, expected: CitizenIdBirth, year: int) -> None:
    assert citizen_id_birth(cid) == expected
    century, sex = citizen_id_birth(cid)
    assert (century, sex) == tuple(expected)
    assert citizen_id_birth_year(cid) == year


def test_check_citizen_id_against_dob() -> None:
    assert check_citizen_id_against_dob("046150012345", date(1950, 3, 5)) is None
    assert check_citizen_id_against_dob("046320012345", date(2020, 1, 1)) is None
    wrong_century = check_citizen_id_against_dob("046250012345", date(1950, 3, 5))
    assert wrong_century is not None and wrong_century.code == "citizen_id_dob_mismatch"
    wrong_year = check_citizen_id_against_dob("046151012345", date(1950, 3, 5))
    assert wrong_year is not None and "1950" in wrong_year.message["vi"]


@given(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["male", "female"]),
    st.integers(min_value=0, max_value=999_999),
)
def test_citizen_id_round_trip(province: str, dob: date, sex: str, serial: int) -> None:
    g = 2 * ((dob.year - 1900) // 100) + (1 if sex == "female" else 0)
    cid = f"{province}{g}{dob.year % 100:02d}{serial:06d}"
    spaced = " ".join(cid[i : i + 3] for i in range(0, 12, 3))
    assert normalize_citizen_id(spaced) == cid
    assert citizen_id_birth(cid).sex == sex
    assert check_citizen_id_against_dob(cid, dob) is None
    assert check_citizen_id_against_dob(cid, date(dob.year - 1, 1, 1)) is not None


# --- phones ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("0325-123-456", "0325123456"),
        ("0869 123 456", "0869123456"),
        ("(0234) 3822 123", "02343822123"),
        ("+84 234 3822 123", "02343822123"),
        ("02343822123", "02343822123"),
        ("912 345 678", "0912345678"),  # leading 0 forgotten
    ],
)
def test_normalize_phone(typed: str, expected: str) -> None:
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("01234567890", "phone_old_mobile"),
        ("0951234567", "phone_prefix"),
        ("0212345678", "phone_prefix"),
        ("0912345", "phone_format"),
        ("123456789", "phone_prefix"),
        ("091234567890", "phone_format"),
        ("09123456ab", "phone_format"),
        ("+1 650 555 1234", "phone_format"),
        ("02439421234", "phone_format"),  # Hà Nội landline: not a Huế number
        ("", "phone_format"),
    ],
)
def test_normalize_phone_problems(typed: str, code: str) -> None:
    assert problem_code(normalize_phone, typed) == code


def test_landline_area_codes_are_a_parameter() -> None:
    assert normalize_phone("024 3942 1234", landline_area_codes={"024"}) == "02439421234"
    assert problem_code(normalize_phone, "0234 3822 123", landline_area_codes=()) == "phone_format"


def test_phone_kind() -> None:
    assert phone_kind(normalize_phone("0912345678")) == "mobile"
    assert phone_kind(normalize_phone("02343822123")) == "landline"


@given(st.sampled_from(sorted(MOBILE_PREFIXES)), st.integers(min_value=0, max_value=9_999_999))
def test_every_mobile_prefix_in_every_spelling(prefix: str, rest: int) -> None:
    number = f"{prefix}{rest:07d}"
    assert normalize_phone(number) == number
    assert normalize_phone("+84" + number[1:]) == number
    assert normalize_phone(f"{number[:4]} {number[4:7]} {number[7:]}") == number
    assert normalize_phone(f"84.{number[1:4]}.{number[4:]}") == number
