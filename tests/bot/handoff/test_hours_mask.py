from __future__ import annotations

from datetime import datetime

import pytest

from bot.handoff.hours import OfficeHours
from bot.handoff.mask import mask_text
from bot.handoff.people import parse_people
from tests.support.clock import HUE

HOURS = OfficeHours.parse("mon-fri 07:30-11:30 13:30-17:00")


def test_open_and_next_opening() -> None:
    assert HOURS.is_open(datetime(2026, 3, 9, 9, 0, tzinfo=HUE))  # Monday morning
    assert not HOURS.is_open(datetime(2026, 3, 9, 12, 0, tzinfo=HUE))  # lunch
    lunch = HOURS.next_opening(datetime(2026, 3, 9, 12, 0, tzinfo=HUE))
    assert lunch == datetime(2026, 3, 9, 13, 30, tzinfo=HUE)
    friday_night = HOURS.next_opening(datetime(2026, 3, 13, 18, 0, tzinfo=HUE))
    assert friday_night == datetime(2026, 3, 16, 7, 30, tzinfo=HUE)


def test_holidays_are_skipped() -> None:
    # 30/4 and 1/5/2026 (Thursday, Friday) are public holidays.
    after = HOURS.next_opening(datetime(2026, 4, 29, 18, 0, tzinfo=HUE))
    assert after == datetime(2026, 5, 4, 7, 30, tzinfo=HUE)


def test_masks_and_people() -> None:
    assert mask_text("CCCD 046123456123, năm 1950") == "CCCD 046******123, năm 1950"
    assert parse_people("111:Lan, 222:Minh") == {111: "Lan", 222: "Minh"}
    with pytest.raises(ValueError):
        parse_people("lan:111")
