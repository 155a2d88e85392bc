"""Dates, citizen ID numbers and phone numbers."""

from __future__ import annotations

import pytest

from nlu import EmbeddedNLU


def _values(engine: EmbeddedNLU, text: str, entity: str) -> list[str]:
    return [e["value"] for e in engine.parse(text)["entities"] if e["entity"] == entity]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("sinh ngày 5/3/1950", "1950-03-05"),
        ("sinh 05-03-1950", "1950-03-05"),
        ("ngày 5 tháng 3 năm 1950", "1950-03-05"),
        ("ngay 5 thang 3 nam 1950", "1950-03-05"),
        ("mùng 5 tháng 3", "--03-05"),
        ("mồng 10 tháng 12 năm 2025", "2025-12-10"),
        ("born on 5 March 1950", "1950-03-05"),
        ("born March 5, 1950", "1950-03-05"),
        ("hẹn 29/2/2024", "2024-02-29"),
    ],
)
def test_dates(engine: EmbeddedNLU, text: str, value: str) -> None:
    assert _values(engine, text, "date") == [value]


@pytest.mark.parametrize("text", ["ngày 31/2/2020", "32 tháng 1", "1/13/2000"])
def test_impossible_dates_are_ignored(engine: EmbeddedNLU, text: str) -> None:
    assert _values(engine, text, "date") == []


@pytest.mark.parametrize(
    "text",
    [
        "CCCD của tui 046090012345",
        "số căn cước 046 090 012 345",
        "cmnd 046.090.012.345",
        "id 0460 9001 2345",
    ],
)
def test_citizen_ids(engine: EmbeddedNLU, text: str) -> None:
    (entity,) = [e for e in engine.parse(text)["entities"] if e["entity"] == "citizen_id"]
    assert entity["value"] == "046090012345"
    assert entity["valid"] is True


def test_implausible_citizen_id_is_flagged(engine: EmbeddedNLU) -> None:
    (entity,) = [
        e for e in engine.parse("so 999990012345")["entities"] if e["entity"] == "citizen_id"
    ]
    assert entity["valid"] is False


def test_eleven_or_thirteen_digits_are_no_citizen_id(engine: EmbeddedNLU) -> None:
    assert _values(engine, "so 04609001234", "citizen_id") == []
    assert _values(engine, "so 0460900123456", "citizen_id") == []


@pytest.mark.parametrize(
    "text",
    [
        "sđt 0912345678",
        "gọi 0912 345 678",
        "số tui +84 912 345 678",
        "phone 84912345678",
        "dt 0912.345.678",
    ],
)
def test_phones(engine: EmbeddedNLU, text: str) -> None:
    assert _values(engine, text, "phone") == ["0912345678"]


def test_landline_like_or_bad_prefix_is_no_mobile(engine: EmbeddedNLU) -> None:
    assert _values(engine, "so 0112345678", "phone") == []


def test_all_entities_together(engine: EmbeddedNLU) -> None:
    text = "tui tên Lan, sinh 5/3/1950, cccd 046150012345, đt 0905 123 456"
    kinds = [e["entity"] for e in engine.parse(text)["entities"]]
    assert kinds == ["date", "citizen_id", "phone"]
