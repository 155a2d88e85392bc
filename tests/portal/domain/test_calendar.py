from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.calendar import WorkingCalendar

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=HCM)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Tết
        (date(2026, 2, 14), False),  # Saturday
        (date(2026, 2, 16), False),  # Tết 16-20 Feb
        (date(2026, 2, 18), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),  # first Monday after Tết
        (date(2026, 4, 27), False),  # Hùng Kings' day observed (26 Apr is a Sunday)
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 5, 4), True),
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 9, 3), True),
        (date(2026, 1, 1), False),
    ],
)
def test_working_days_2026(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_overrides_win_over_weekends_and_holidays() -> None:
    cal = WorkingCalendar(
        {date(2026, 8, 22): True, date(2026, 3, 9): False, date(2026, 5, 1): True}
    )
    assert cal.is_working_day(date(2026, 8, 22))  # swapped Saturday
    assert not cal.is_working_day(date(2026, 3, 9))  # extra day off on a Monday
    assert cal.is_working_day(date(2026, 5, 1))
    assert not CAL.is_working_day(date(2026, 8, 22))
    assert CAL.is_working_day(date(2026, 3, 9))


def test_holiday_name() -> None:
    assert CAL.holiday_name(date(2026, 2, 17))
    assert CAL.holiday_name(date(2026, 2, 23)) is None


def test_next_and_previous_working_day_around_tet() -> None:
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.next_working_day(date(2026, 2, 12)) == date(2026, 2, 13)
    assert CAL.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)


def test_add_working_days() -> None:
    assert CAL.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert CAL.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 23)
    assert CAL.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 24), -3) == date(2026, 2, 12)
    assert CAL.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)


# --- due dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 2, 13, 10), date(2026, 2, 13)),  # Friday morning before Tết
        (at(2026, 2, 13, 15, 0, 0), date(2026, 2, 13)),  # 15:00:00 is not "after 15:00"
        (at(2026, 2, 13, 15, 0, 1), date(2026, 2, 23)),  # after the cut-off: after Tết
        (at(2026, 2, 14, 9), date(2026, 2, 23)),  # Saturday
        (at(2026, 2, 18, 9), date(2026, 2, 23)),  # during Tết
        (at(2026, 4, 24, 15, 30), date(2026, 4, 28)),  # Friday late, Monday 27 observed
        (at(2026, 4, 29, 16), date(2026, 5, 4)),  # Wednesday late before 30/4-1/5
        (at(2026, 4, 29, 14), date(2026, 4, 29)),
        (at(2026, 8, 28, 16), date(2026, 9, 3)),  # Friday late before 31/8-2/9
    ],
)
def test_same_day_due_dates(received: datetime, expected: date) -> None:
    assert CAL.due_date(received, "same_day", 0) == expected


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        (at(2026, 3, 2, 10), 3, date(2026, 3, 5)),  # Monday morning + 3: Thursday
        (at(2026, 3, 2, 16), 3, date(2026, 3, 6)),  # Monday late: counts from Tuesday
        (at(2026, 3, 7, 10), 3, date(2026, 3, 12)),  # Saturday: received Monday
        (at(2026, 2, 12, 9), 3, date(2026, 2, 24)),  # Fri 13, Mon 23, Tue 24
        (at(2026, 2, 13, 9), 1, date(2026, 2, 23)),
        (at(2026, 2, 13, 16), 1, date(2026, 2, 24)),  # counts as received Mon 23
        (at(2026, 4, 28, 10), 3, date(2026, 5, 5)),  # Wed 29, Mon 4, Tue 5
        (at(2026, 8, 28, 9), 2, date(2026, 9, 4)),  # Thu 3, Fri 4 after 31/8-2/9
        (at(2026, 2, 2, 9), 10, date(2026, 2, 23)),  # 9 days before Tết, the 10th after it
    ],
)
def test_working_days_due_dates(received: datetime, days: int, expected: date) -> None:
    assert CAL.due_date(received, "working_days", days) == expected


def test_due_date_with_a_swapped_saturday() -> None:
    cal = WorkingCalendar({date(2026, 8, 22): True})
    saturday = at(2026, 8, 22, 9)
    assert cal.due_date(saturday, "same_day") == date(2026, 8, 22)
    assert CAL.due_date(saturday, "same_day") == date(2026, 8, 24)
    # Friday 21 Aug + 1 working day is the swapped Saturday.
    assert cal.due_date(at(2026, 8, 21, 9), "working_days", 1) == date(2026, 8, 22)
    assert CAL.due_date(at(2026, 8, 21, 9), "working_days", 1) == date(2026, 8, 24)


def test_due_date_with_an_extra_day_off() -> None:
    cal = WorkingCalendar({date(2026, 3, 9): False})
    assert cal.due_date(at(2026, 3, 6, 16), "same_day") == date(2026, 3, 10)
    assert cal.due_date(at(2026, 3, 9, 9), "same_day") == date(2026, 3, 10)


def test_due_date_converts_to_local_time() -> None:
    # 07:30 UTC is 14:30 in Huế; 08:30 UTC is 15:30.
    assert CAL.due_date(datetime(2026, 2, 13, 7, 30, tzinfo=UTC), "same_day") == date(2026, 2, 13)
    assert CAL.due_date(datetime(2026, 2, 13, 8, 30, tzinfo=UTC), "same_day") == date(2026, 2, 23)
    # Thursday 18:00 UTC is already Friday 01:00 in Huế.
    assert CAL.due_date(datetime(2026, 2, 12, 18, tzinfo=UTC), "same_day") == date(2026, 2, 13)


def test_due_date_without_cutoff_and_with_another_cutoff() -> None:
    assert CAL.due_date(at(2026, 3, 2, 16), "same_day", cutoff=None) == date(2026, 3, 2)
    assert CAL.due_date(at(2026, 3, 2, 11), "same_day", cutoff=time(10, 30)) == date(2026, 3, 3)
    assert CAL.due_date(at(2026, 3, 8, 9), "same_day", cutoff=None) == date(2026, 3, 9)


def test_due_date_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        CAL.due_date(datetime(2026, 3, 2, 10), "same_day")
    with pytest.raises(ValueError):
        CAL.due_date(at(2026, 3, 2), "working_days", 0)
    with pytest.raises(ValueError):
        CAL.due_date(at(2026, 3, 2), "same_day", 2)


def test_other_time_zone() -> None:
    cal = WorkingCalendar(tz="UTC")
    assert cal.due_date(datetime(2026, 2, 13, 8, 30, tzinfo=UTC), "same_day") == date(2026, 2, 13)


# --- overdue ---------------------------------------------------------------


def test_is_overdue() -> None:
    due = date(2026, 3, 5)
    assert not CAL.is_overdue(due, at(2026, 3, 5, 23, 59))
    assert CAL.is_overdue(due, at(2026, 3, 6, 0, 0))
    # Thursday 17:30 UTC is Friday 00:30 in Huế.
    assert CAL.is_overdue(due, datetime(2026, 3, 5, 17, 30, tzinfo=UTC))
    # Finished in time stays not overdue later; finished late stays overdue.
    assert not CAL.is_overdue(due, at(2026, 4, 1), finished_at=at(2026, 3, 5, 16))
    assert CAL.is_overdue(due, at(2026, 4, 1), finished_at=at(2026, 3, 6, 8))
    with pytest.raises(ValueError):
        CAL.is_overdue(due, datetime(2026, 3, 6))


# --- properties ------------------------------------------------------------

days_2025_2028 = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@settings(deadline=None)
@given(days_2025_2028, st.integers(min_value=1, max_value=30))
def test_add_working_days_counts_exactly_n_working_days(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.is_working_day(end)
    span = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(CAL.is_working_day(d) for d in span) == n


@settings(deadline=None)
@given(days_2025_2028, st.integers(min_value=0, max_value=30))
def test_add_then_subtract_from_a_working_day(start: date, n: int) -> None:
    if not CAL.is_working_day(start):
        start = CAL.next_working_day(start)
    assert CAL.add_working_days(CAL.add_working_days(start, n), -n) == start


@settings(deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(HCM)
    ),
    st.integers(min_value=1, max_value=15),
)
def test_due_dates_are_working_days_after_receipt(received: datetime, days: int) -> None:
    same = CAL.due_date(received, "same_day")
    later = CAL.due_date(received, "working_days", days)
    assert CAL.is_working_day(same)
    assert CAL.is_working_day(later)
    assert received.date() <= same < later
