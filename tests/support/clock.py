from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


class FrozenClock:
    """A clock the test moves by hand (deadlines, the 15:00 rule, overdue)."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set_local(self, year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> None:
        self.now = datetime(year, month, day, hour, minute, tzinfo=HUE).astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
