from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.dates import fold, format_date, parse_date
from portal.domain.problems import FieldProblem

TODAY = date(2026, 3, 1)
MARCH_5_1950 = date(1950, 3, 5)


@pytest.mark.parametrize(
    "typed",
    [
        "5/3/1950",
        "05/03/1950",
        "05-03-1950",
        "5.3.1950",
        "5 3 1950",
        " 5 / 3 / 1950 ",
        "5/3/1950.",
        "05031950",
        "050350",
        "1950-03-05",
        "1950/3/5",
        "5 tháng 3 năm 1950",
        "ngày 5 tháng 3 năm 1950",
        "Ngày 05 tháng 03 năm 1950",
        "mùng 5 tháng 3 1950",
        "mồng 5 tháng 3 năm 1950",
        "5 thang 3 nam 1950",
        "mung 5 thang 3 1950",
        "ngay 5 thang 3 nam 1950",
        "NGÀY 5 THÁNG 3 NĂM 1950",
        "5 tháng 3, 1950",
        "sinh ngày 5/3/1950",
        "5/3/1950 dương lịch",
        "5/3/1950 ạ",
        "5thang3nam1950",
        "5/3/50",
        "05-03-50",
        "５/３/１９５０",  # full-width digits
    ],
)
def test_parse_date_accepts_what_people_type(typed: str) -> None:
    assert parse_date(typed, TODAY) == MARCH_5_1950


def test_decomposed_unicode_is_accepted() -> None:
    typed = unicodedata.normalize("NFD", "ngày 5 tháng 3 năm 1950")
    assert parse_date(typed, TODAY) == MARCH_5_1950


def test_day_first_always() -> None:
    assert parse_date("3/5/1950", TODAY) == date(1950, 5, 3)
    assert parse_date("12/1/2020", TODAY) == date(2020, 1, 12)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1/1/26", date(2026, 1, 1)),  # this year
        ("1/12/26", date(2026, 12, 1)),  # this year even if later in the year
        ("1/1/27", date(1927, 1, 1)),  # next year's digits: a century ago
        ("1/1/00", date(2000, 1, 1)),
        ("1/1/99", date(1999, 1, 1)),
    ],
)
def test_two_digit_years(typed: str, expected: date) -> None:
    assert parse_date(typed, TODAY) == expected


def test_two_digit_year_depends_on_today() -> None:
    assert parse_date("1/1/30", date(2035, 1, 1)) == date(2030, 1, 1)
    assert parse_date("1/1/30", date(2029, 12, 31)) == date(1930, 1, 1)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("31/2/1950", "date_invalid"),
        ("29/2/2025", "date_invalid"),
        ("5/13/1950", "date_invalid"),
        ("0/3/1950", "date_invalid"),
        ("1950-02-30", "date_invalid"),
        ("5/3", "date_needs_year"),
        ("mùng 5 tháng 3", "date_needs_year"),
        ("5/3/1950 âm lịch", "date_lunar"),
        ("mung 5 thang gieng am lich", "date_lunar"),
        ("hôm qua", "date_format"),
        ("", "date_format"),
        ("5/3/195", "date_format"),
        ("5/3/1950/2", "date_format"),
        ("123/3/1950", "date_format"),
        ("5 tháng ba 1950", "date_format"),
        ("5/3/1850", "date_year"),
    ],
)
def test_parse_date_problems(typed: str, code: str) -> None:
    with pytest.raises(FieldProblem) as info:
        parse_date(typed, TODAY)
    assert info.value.code == code
    assert info.value.message["vi"] != info.value.message["en"]


def test_problems_show_the_expected_format() -> None:
    for typed in ("31/2/1950", "hôm qua", "5/3"):
        with pytest.raises(FieldProblem) as info:
            parse_date(typed, TODAY)
        assert "05/03/1950" in info.value.message["vi"]
        assert "05/03/1950" in info.value.message["en"]


def test_leap_day() -> None:
    assert parse_date("29/2/2024", TODAY) == date(2024, 2, 29)


def test_fold() -> None:
    assert fold("  Mùng   Năm  ĐÀ Nẵng ") == "mung nam da nang"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_round_trips(d: date) -> None:
    assert parse_date(format_date(d), TODAY) == d
    assert parse_date(d.isoformat(), TODAY) == d
    assert parse_date(f"ngày {d.day} tháng {d.month} năm {d.year}", TODAY) == d
    assert parse_date(f"{d.day}.{d.month}.{d.year}", TODAY) == d
