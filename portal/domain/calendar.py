"""Working days and statutory due dates.

Working days are Monday to Friday minus Vietnam's public holidays, which come from
the ``holidays`` package (lunar Tết and Hùng Kings' day, observed and substituted
days included). Each year the government also swaps days (a Saturday worked to make
a bridge holiday), so the ward keeps an override table: ``date -> True`` makes a day a
working day (a swapped Saturday), ``date -> False`` makes it a day off. Overrides
win over both the weekday rule and the holiday list.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import holidays

ProcessingKind = Literal["same_day", "working_days"]
DEFAULT_CUTOFF: Final = time(15, 0)
# A run of days off longer than this means the calendar is broken, not a long Tết.
_MAX_DAYS_OFF_IN_A_ROW: Final = 60


class WorkingCalendar:
    """Vietnam's public holidays plus the ward's own overrides, in the ward's time zone."""

    def __init__(
        self, overrides: Mapping[date, bool] | None = None, tz: str = "Asia/Ho_Chi_Minh"
    ) -> None:
        self.overrides: dict[date, bool] = dict(overrides or {})
        self.tz = ZoneInfo(tz)

    def holiday_name(self, d: date) -> str | None:
        """The public holiday on ``d`` (in Vietnamese), if any."""
        return _public_holidays(d.year).get(d)

    def is_working_day(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        return d.weekday() < 5 and d not in _public_holidays(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self._step(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self._step(d, -1)

    def _step(self, d: date, direction: int) -> date:
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            d += timedelta(days=direction)
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within {_MAX_DAYS_OFF_IN_A_ROW} days of {d}")

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

        ``start`` itself is never counted, whether or not it is a working day; ``n == 0``
        returns ``start`` unchanged.
        """
        d = start
        for _ in range(abs(n)):
            d = self._step(d, 1 if n > 0 else -1)
        return d

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the ward's time zone; naive datetimes are refused."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("an aware datetime is needed (with a time zone)")
        return moment.astimezone(self.tz)

    def receipt_day(self, received_at: datetime, cutoff: time | None = DEFAULT_CUTOFF) -> date:
        """The working day an application counts as received on.

        That is the local day of ``received_at`` if it is a working day and the time is
        not later than ``cutoff`` (15:00:00 exactly still counts; 15:00:01 does not);
        otherwise the next working day. ``cutoff=None`` means no afternoon cut-off.
        """
        moment = self.local(received_at)
        day = moment.date()
        late = cutoff is not None and moment.time().replace(tzinfo=None) > cutoff
        if self.is_working_day(day) and not late:
            return day
        return self.next_working_day(day)

    def due_date(
        self,
        received_at: datetime,
        kind: ProcessingKind,
        days: int = 0,
        cutoff: time | None = DEFAULT_CUTOFF,
    ) -> date:
        """The last day on which the result is due, by the statutory rule.

        Convention (the cut-off follows Decree 23/2015/ND-CP art. 7):

        - First the receipt day (:meth:`receipt_day`): received after the cut-off, or
          on a weekend, holiday or override day off, counts as received on the next
          working day.
        - ``same_day``: due on the receipt day itself (``days`` must be 0).
        - ``working_days``: the day of receipt is not counted; counting starts with
          the next working day, so the due date is the ``days``-th working day after
          the receipt day. Received Monday 10:00 with 3 working days: due Thursday.
        """
        receipt = self.receipt_day(received_at, cutoff)
        if kind == "same_day":
            if days:
                raise ValueError("same_day processing takes no days")
            return receipt
        if days < 1:
            raise ValueError("working_days processing needs days >= 1")
        return self.add_working_days(receipt, days)

    def is_overdue(self, due: date, now: datetime, finished_at: datetime | None = None) -> bool:
        """Whether work ran past the due date (the whole due day is allowed, local time).

        Finished: overdue if it finished on a later local day than ``due``. Not yet
        finished: overdue once ``now`` is past the due day.
        """
        moment = finished_at if finished_at is not None else now
        return self.local(moment).date() > due


_HOLIDAYS: dict[int, dict[date, str]] = {}
_HOLIDAYS_LOCK = threading.Lock()


def _public_holidays(year: int) -> dict[date, str]:
    """Vietnam's public holidays of ``year``, computed once per process: the lunar
    dates cost ~3 ms a year, and a calendar is built for every submission."""
    found = _HOLIDAYS.get(year)
    if found is None:
        with _HOLIDAYS_LOCK:
            found = _HOLIDAYS.get(year)
            if found is None:
                days = holidays.country_holidays("VN", years=year)
                found = _HOLIDAYS[year] = {d: str(name) for d, name in days.items()}
    return found


def preload_holidays(*years: int) -> None:
    """Compute the holidays of ``years`` now. The first computation in a process also
    imports the country's rules and costs tens of milliseconds; a portal does it at
    start-up so that no citizen's submission waits for it."""
    for year in years:
        _public_holidays(year)
