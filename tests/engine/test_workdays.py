"""Working days by the Chinese calendar: adding them, and counting what is left before a due date."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import clock
from engine.calendar import workdays


def _walk(due: dt.date, today: dt.date) -> int:
    """The plain definition: count working days one by one."""
    if due < today:
        return -sum(workdays.is_workday(due + dt.timedelta(days=n + 1)) for n in range((today - due).days))
    return sum(workdays.is_workday(today + dt.timedelta(days=n + 1)) for n in range((due - today).days))


@pytest.mark.parametrize("today, due", [
    ("2026-09-28", "2026-10-09"),  # across the National Day holiday
    ("2026-10-09", "2026-09-28"),  # overdue across it
    ("2026-03-02", "2026-03-02"),
    ("2025-12-30", "2027-01-05"),  # across years
    ("1999-12-30", "2000-01-04"),  # before the running count's base year
])
def test_days_left_agree_with_counting_day_by_day(today, due):
    today_d, due_d = dt.date.fromisoformat(today), dt.date.fromisoformat(due)
    due_at = dt.datetime.combine(due_d, dt.time(17, 0), tzinfo=clock.TZ)
    assert workdays.working_days_left(due_at, today_d) == _walk(due_d, today_d)


def test_national_day_is_skipped_when_adding():
    assert workdays.add_working_days("2026-09-30T10:00:00+08:00", 1).date() == dt.date(2026, 10, 8)
