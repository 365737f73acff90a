"""Due dates in Chinese working days.

Which days are working days: the office's 节假日安排 for the years it has entered (engine/calendar/holidays.py keeps them in
the database and hands them here as a `Calendar`); for other years the `chinesecalendar` library; for years neither
knows, Monday to Friday — and every deadline counted across such a year is *pending* (待核定) until the year is
entered. Each working-day computation made while a step runs is noted (`drain`) so that the runtime can keep how it
was computed and recompute it when the calendar of one of its years changes.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar

from engine import clock

LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


@dataclass(frozen=True)
class Calendar:
    """The office's entered years: `days` maps each listed day to whether it is worked (放假 False, 调休上班 True);
    a day of an entered year that is not listed is a working day from Monday to Friday. `sources` names the
    document each year was entered from; `stamp` tells one state of the table from another."""

    days: dict[dt.date, bool] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)
    stamp: tuple = ()


_calendar_in_use = Calendar()


def use(new: Calendar) -> None:
    """Count with `new` from now on (the counts cached for the old calendar are dropped)."""
    global _calendar_in_use
    _calendar_in_use = new
    _year_prefix.cache_clear()
    _before_year.cache_clear()


def current() -> Calendar:
    return _calendar_in_use


def known(year: int) -> bool:
    """The office entered the year, or the library knows it: its holidays are not guessed."""
    return year in _calendar_in_use.sources or year in LIBRARY_YEARS


def basis(year: int) -> str:
    """What the days of `year` are counted by, in a sentence for the case history."""
    if year in _calendar_in_use.sources:
        source = _calendar_in_use.sources[year]
        return f"{year}年节假日安排（{source}）" if source else f"{year}年节假日安排（政协办公室录入）"
    if year in LIBRARY_YEARS:
        return f"{year}年节假日安排（国务院办公厅通知，系统内置）"
    return f"{year}年节假日安排未录入，暂按周一至周五计算（待核定）"


def parse(value: str | dt.datetime) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.TZ)


def is_workday(day: dt.date) -> bool:
    entered = _calendar_in_use
    if day in entered.days:
        return entered.days[day]
    if day.year not in entered.sources and day.year in LIBRARY_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5  # an entered year's ordinary days, and years nobody knows yet


# ------------------------------------------------------------------ computations noted while a step runs

@dataclass(frozen=True)
class Computation:
    """`days` working days after `start` is `due`; `task` names the inbox row it set, if any."""

    start: dt.datetime
    days: int
    due: dt.datetime
    task: str | None = None

    @property
    def years(self) -> range:
        return range(self.start.astimezone(clock.TZ).year, self.due.astimezone(clock.TZ).year + 1)

    @property
    def pending(self) -> bool:
        return not all(known(year) for year in self.years)

    def basis(self) -> str:
        return "；".join(basis(year) for year in self.years)


_noted: ContextVar[list[Computation] | None] = ContextVar("workday_computations", default=None)


def drain() -> list[Computation]:
    """The computations noted in this context since the last drain (and start noting anew)."""
    noted = _noted.get()
    _noted.set([])
    return noted or []


def add_working_days(start: str | dt.datetime, days: int, *, task: str | None = None) -> dt.datetime:
    """The end of the `days`-th working day after `start` (23:59:59 local time)."""
    begin = parse(start)
    due = count_working_days(begin, days)
    noted = _noted.get()
    if noted is not None:
        noted.append(Computation(begin, int(days), due, task))
    return due


def count_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`add_working_days` without noting it (recomputing a noted deadline)."""
    day, left = start.astimezone(clock.TZ).date(), int(days)
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
