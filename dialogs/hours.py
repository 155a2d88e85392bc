"""Office hours as configured (OFFICE_HOURS, e.g. ``"mon-fri 07:30-11:30 13:30-17:00"``):
parsed once here, for the bot's handoff (is someone there now?) and for the texts
that tell citizens when the office is open."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from dialogs.i18n import N_, t

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class HoursSpec:
    first_day: int  # Monday = 0
    last_day: int
    spans: tuple[tuple[time, time], ...]

    @classmethod
    def parse(cls, spec: str) -> HoursSpec:
        """``"mon-fri 07:30-11:30 13:30-17:00"``; ValueError names what is wrong."""
        days_part, *span_parts = spec.split() or [""]
        first, _, last = days_part.lower().partition("-")
        if first not in DAYS or (last or first) not in DAYS:
            raise ValueError(f"not a day range: {days_part!r} in {spec!r} (e.g. mon-fri)")
        spans = []
        for part in span_parts:
            m = _SPAN.match(part)
            if m is None:
                raise ValueError(f"not a time span: {part!r} in {spec!r}")
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            spans.append((time(h1, m1), time(h2, m2)))
        if not spans:
            raise ValueError(f"no opening hours in {spec!r}")
        return cls(DAYS.index(first), DAYS.index(last or first), tuple(sorted(spans)))

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(range(self.first_day, self.last_day + 1))

    def describe(self, lang: str) -> str:
        """E.g. "Thứ Hai–Thứ Sáu, 7:30–11:30 và 13:30–17:00" in Vietnamese,
        "Monday–Friday, 7:30–11:30 and 13:30–17:00" in English."""
        days = t(lang, DAY_NAMES[self.first_day])
        if self.last_day != self.first_day:
            days += "–" + t(lang, DAY_NAMES[self.last_day])
        spans = [f"{_clock(a)}–{_clock(b)}" for a, b in self.spans]
        hours = spans[0]
        for span in spans[1:]:
            hours = t(lang, N_("{hours} and {more}"), hours=hours, more=span)
        return f"{days}, {hours}"


def _clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"
