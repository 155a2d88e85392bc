"""Typed values made explicit before the portal sees them."""

from __future__ import annotations

from datetime import date

import pytest

from backend_client import FormField
from dialogs.values import normalize, number_words

TODAY = date(2026, 3, 9)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("ba", 3),
        ("ba trang", 3),
        ("mot ban", 1),
        ("mười hai", 12),
        ("hai mươi lăm", 25),
        ("một trăm lẻ năm", 105),
        ("một nghìn", 1000),
        ("hai ngàn rưỡi", 2000),
        ("three", 3),
        ("Sổ đỏ", None),
        ("ba mot", None),
    ],
)
def test_number_words(typed: str, value: int | None) -> None:
    assert number_words(typed) == value


def _field(kind: str, **extra: object) -> FormField:
    return FormField.model_validate({"name": "x", "type": kind, "label": {"vi": "?"}, **extra})


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("5 thang 11 nam nay", "5 thang 11 nam 2026"),
        ("mùng 5 tháng 3 năm ngoái", "mung 5 thang 3 nam 2025"),
        ("hôm qua", "08/03/2026"),
        ("5/3", "05/03/2026"),  # a newborn: this year's 5 March
        ("mung 5 thang 12", "05/12/2025"),  # this year's would be after today
        ("05/03/2026", "05/03/2026"),
    ],
)
def test_recent_dates(typed: str, sent: str) -> None:
    assert normalize(_field("date", recent=True), typed, TODAY) == sent


def test_an_older_date_without_year_is_left_to_the_portal_to_ask_for_the_year() -> None:
    assert normalize(_field("date"), "5/3", TODAY) == "5/3"


def test_numbers_and_other_fields() -> None:
    assert normalize(_field("number"), "ba trang", TODAY) == "3"
    assert normalize(_field("number"), "2 bản", TODAY) == "2"
    assert normalize(_field("text"), "ba", TODAY) == "ba"  # a name stays a name
