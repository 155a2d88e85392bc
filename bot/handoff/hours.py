"""Office hours: is someone there now, and when will someone be."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class OfficeHours:
    weekdays: frozenset[int]  # Monday = 0
    spans: tuple[tuple[time, time], ...]
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, tz: str = "Asia/Ho_Chi_Minh") -> OfficeHours:
        """``"mon-fri 07:30-11:30 13:30-17:00"``."""
        days_part, *span_parts = spec.split()
        first, _, last = days_part.lower().partition("-")
        start, end = DAYS.index(first), DAYS.index(last or first)
        spans = []
        for part in span_parts:
            m = _SPAN.match(part)
            if m is None:
                raise ValueError(f"not a time span: {part!r} in {spec!r}")
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            spans.append((time(h1, m1), time(h2, m2)))
        if not spans:
            raise ValueError(f"no opening hours in {spec!r}")
        return cls(frozenset(range(start, end + 1)), tuple(sorted(spans)), ZoneInfo(tz))

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
