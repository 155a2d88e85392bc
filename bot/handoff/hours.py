"""Office hours: is someone there now, and when will someone be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from dialogs.hours import HoursSpec


@dataclass(frozen=True)
class OfficeHours:
    weekdays: frozenset[int]  # Monday = 0
    spans: tuple[tuple[time, time], ...]
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, tz: str = "Asia/Ho_Chi_Minh") -> OfficeHours:
        """``"mon-fri 07:30-11:30 13:30-17:00"`` (the same parser as the texts use)."""
        parsed = HoursSpec.parse(spec)
        return cls(parsed.weekdays, parsed.spans, ZoneInfo(tz))

    def _working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in holidays.country_holidays(
            "VN", years=day.year
        )

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.tz)
        return self._working_day(local.date()) and any(a <= local.time() < b for a, b in self.spans)

    def next_opening(self, now: datetime) -> datetime:
        """When someone is next at work (``now`` itself when open)."""
        local = now.astimezone(self.tz)
        if self.is_open(local):
            return local
        day = local.date()
        for offset in range(0, 30):  # Tết can close the office for about a week
            current = day + timedelta(days=offset)
            if not self._working_day(current):
                continue
            for start, _ in self.spans:
                opening = datetime.combine(current, start, tzinfo=self.tz)
                if opening > local:
                    return opening
        raise ValueError("no opening in the next 30 days")
