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


@pytest.fixture
def entered():
    """The office entered 2027 (a holiday and a worked Saturday) and re-entered 2026 over the library's days."""
    before = workdays.current()
    workdays.use(workdays.Calendar(days={dt.date(2027, 1, 4): False, dt.date(2027, 1, 9): True,
                                         dt.date(2026, 10, 10): False},
                                   sources={2027: "国办发明电〔2026〕1号", 2026: ""}, stamp=(1,)))
    yield
    workdays.use(before)


def test_which_days_are_worked():
    assert workdays.is_workday(dt.date(2026, 10, 10))  # a Saturday worked in the library's 2026 (调休)
    assert not workdays.is_workday(dt.date(2026, 10, 5))  # a Monday off (国庆)
    assert workdays.is_workday(dt.date(2026, 10, 9)) and not workdays.is_workday(dt.date(2026, 10, 11))
    assert not workdays.is_workday(dt.date(2031, 3, 1))  # a Saturday of a year nobody knows
    assert workdays.is_workday(dt.date(2031, 3, 3)) and workdays.is_workday(dt.date(2031, 3, 7))
    assert not workdays.is_workday(dt.date(2031, 3, 2))


def test_the_office_s_entered_years_come_first(entered):
    assert not workdays.is_workday(dt.date(2027, 1, 4))  # listed as a holiday, a Monday
    assert workdays.is_workday(dt.date(2027, 1, 9))  # listed as worked, a Saturday
    assert workdays.is_workday(dt.date(2027, 1, 5)) and not workdays.is_workday(dt.date(2027, 1, 10))
    assert not workdays.is_workday(dt.date(2026, 10, 10))  # the entry overrides the library's day
    assert workdays.is_workday(dt.date(2026, 10, 5))  # 2026 entered: an unlisted Monday is worked
    assert workdays.known(2027) and workdays.known(2026) and workdays.known(2004) and not workdays.known(2031)
    assert workdays.basis(2027) == "2027年节假日安排（国办发明电〔2026〕1号）"
    assert workdays.basis(2026) == "2026年节假日安排（政协办公室录入）"
    assert workdays.basis(2025) == "2025年节假日安排（国务院办公厅通知，系统内置）"
    assert workdays.basis(2031) == "2031年节假日安排未录入，暂按周一至周五计算（待核定）"
    # the running counts were computed again for the new calendar
    assert workdays.working_days_left(dt.datetime(2027, 1, 8, 9, tzinfo=clock.TZ), dt.date(2027, 1, 1)) == 4


def test_a_changed_calendar_drops_the_cached_counts():
    due = dt.datetime(2027, 1, 8, 9, tzinfo=clock.TZ)
    assert workdays.working_days_left(due, dt.date(2027, 1, 1)) == 5  # 2027 unknown: Monday to Friday
    before = workdays.current()
    workdays.use(workdays.Calendar(days={dt.date(2027, 1, 4): False}, sources={2027: "x"}))
    try:
        assert workdays.working_days_left(due, dt.date(2027, 1, 1)) == 4
    finally:
        workdays.use(before)
    assert workdays.working_days_left(due, dt.date(2027, 1, 1)) == 5


def test_parse_reads_local_time_when_no_zone_is_given():
    assert workdays.parse("2026-03-02T09:00:00") == dt.datetime(2026, 3, 2, 9, tzinfo=clock.TZ)
    utc = dt.datetime(2026, 3, 2, 1, tzinfo=dt.timezone.utc)
    assert workdays.parse(utc) is utc and workdays.parse("2026-03-02T01:00:00+00:00") == utc


def test_adding_working_days_notes_what_was_computed():
    workdays.drain()
    due = workdays.add_working_days("2026-12-30T10:00:00+08:00", 3, task="t1")
    assert due == dt.datetime(2027, 1, 4, 23, 59, 59, tzinfo=clock.TZ)  # 31 Dec, 1 Jan (2027 unknown: a Friday counts), 4 Jan
    noted = workdays.drain()
    assert noted == [workdays.Computation(dt.datetime(2026, 12, 30, 10, tzinfo=clock.TZ), 3, due, "t1")]
    assert noted[0].years == range(2026, 2028) and noted[0].pending
    assert noted[0].basis() == ("2026年节假日安排（国务院办公厅通知，系统内置）；"
                                "2027年节假日安排未录入，暂按周一至周五计算（待核定）")
    assert workdays.drain() == []
    workdays.add_working_days("2026-03-02T10:00:00+08:00", 0)
    (same_day,) = workdays.drain()
    assert same_day.due == dt.datetime(2026, 3, 2, 23, 59, 59, tzinfo=clock.TZ) and not same_day.pending
    assert same_day.years == range(2026, 2027) and same_day.task is None


def test_nothing_is_noted_outside_a_noting_context():
    import contextvars

    def outside():
        due = workdays.add_working_days("2026-03-02T10:00:00+08:00", 1)
        return due, workdays._noted.get()

    due, noted = contextvars.Context().run(outside)
    assert due == dt.datetime(2026, 3, 3, 23, 59, 59, tzinfo=clock.TZ) and noted is None


def test_a_utc_start_counts_from_its_local_day():
    # 2026-03-08 17:00 UTC (a Sunday) is Monday 01:00 in 北京: the next working day is Tuesday 10 March
    assert workdays.count_working_days(dt.datetime(2026, 3, 8, 17, tzinfo=dt.timezone.utc), 1) == dt.datetime(
        2026, 3, 10, 23, 59, 59, tzinfo=clock.TZ)
    assert workdays.count_working_days(dt.datetime(2026, 3, 8, 17, tzinfo=dt.timezone.utc), "2").day == 11


@pytest.mark.parametrize("start, months, expected", [
    ("2026-01-31T10:00:00+08:00", 1, "2026-02-28T10:00:00+08:00"),
    ("2026-11-15T10:00:00+08:00", 3, "2027-02-15T10:00:00+08:00"),
    ("2026-12-15T10:00:00+08:00", 1, "2027-01-15T10:00:00+08:00"),
    ("2026-03-31T10:00:00+08:00", -1, "2026-02-28T10:00:00+08:00"),
    ("2026-01-15T10:00:00+08:00", -1, "2025-12-15T10:00:00+08:00"),
    ("2026-05-31T23:30:00+00:00", "1", "2026-07-01T07:30:00+08:00"),
])
def test_adding_months_keeps_the_day_within_the_month(start, months, expected):
    assert workdays.add_months(start, months).isoformat() == expected  # in local time, not only the same instant


def test_days_left_count_from_today_by_default():
    clock.set_now(dt.datetime(2026, 3, 2, 10, tzinfo=clock.TZ))  # the clock is reset after each test
    assert workdays.working_days_left(dt.datetime(2026, 3, 6, 17, tzinfo=clock.TZ)) == 4
    assert workdays.working_days_left(dt.datetime(2026, 3, 2, 1, tzinfo=dt.timezone.utc)) == 0
    assert workdays.working_days_left(dt.datetime(2026, 3, 2, 20, tzinfo=dt.timezone.utc)) == 1  # 3 March in 北京
    assert workdays.working_days_left(dt.datetime(2026, 2, 27, 17, tzinfo=clock.TZ)) == -2  # Sat 28 Feb worked
