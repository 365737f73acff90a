"""Due dates in Chinese working days (holidays and adjusted working weekends from chinesecalendar)."""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from functools import lru_cache

import chinese_calendar

from . import clock


def parse(value: str | dt.datetime) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.TZ)


def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # outside the years the library knows: weekdays only
        return day.weekday() < 5


def add_working_days(start: str | dt.datetime, days: int) -> dt.datetime:
    """The end of the `days`-th working day after `start` (23:59:59 local time)."""
    moment = parse(start).astimezone(clock.TZ)
    day, left = moment.date(), int(days)
    while left > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=clock.TZ)


def add_months(start: str | dt.datetime, months: int) -> dt.datetime:
    moment = parse(start).astimezone(clock.TZ)
    month_index = moment.month - 1 + int(months)
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, _calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def working_days_left(due: dt.datetime, today: dt.date | None = None) -> int:
    """Working days from today until `due` (negative once overdue): a difference of two running counts, so an inbox
    of thousands of rows costs a lookup per row, not a calendar walk."""
    today = today or clock.now().date()
    target = due.astimezone(clock.TZ).date()
    return _running_count(target) - _running_count(today)


def _running_count(day: dt.date) -> int:
    """Working days from 1 January 2000 up to and including `day` (negative before it)."""
    return _before_year(day.year) + _year_prefix(day.year)[day.timetuple().tm_yday - 1]


@lru_cache(maxsize=None)
def _year_prefix(year: int) -> tuple[int, ...]:
    running, counts = 0, []
    day = dt.date(year, 1, 1)
    while day.year == year:
        running += is_workday(day)
        counts.append(running)
        day += dt.timedelta(days=1)
    return tuple(counts)


@lru_cache(maxsize=None)
def _before_year(year: int) -> int:
    if year == 2000:
        return 0
    if year > 2000:
        return _before_year(year - 1) + _year_prefix(year - 1)[-1]
    return _before_year(year + 1) - _year_prefix(year)[-1]
