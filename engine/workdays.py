"""Due dates in Chinese working days (holidays and adjusted working weekends from chinesecalendar)."""
from __future__ import annotations

import calendar as _calendar
import datetime as dt

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
    """Working days from today until `due` (negative once overdue)."""
    today = today or clock.now().date()
    target = due.astimezone(clock.TZ).date()
    if target < today:
        return -sum(1 for n in range((today - target).days) if is_workday(target + dt.timedelta(days=n + 1)))
    return sum(1 for n in range((target - today).days) if is_workday(today + dt.timedelta(days=n + 1)))
