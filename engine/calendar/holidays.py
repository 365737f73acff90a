"""节假日安排 kept by the office: each year's official holidays and adjusted working weekends.

The State Council publishes next year's arrangement around November–December, often before the calendar library
has it. 系统管理员 and 政协办公室 enter it here (or import it); an entered year is the whole truth for its days and wins
over the library. Every change is an audit event of the calendar's own hash chain, every process counts with the
new calendar at once (others within `MAX_AGE` seconds, and `xieshang tick` repairs what they counted meanwhile),
and the open deadlines counted across the year are recomputed (engine/runtime/deadlines.py).
"""
from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

import chinese_calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.runtime import audit, deadlines
from engine import clock
from engine.people import permissions
from engine.calendar import workdays
from engine.errors import Forbidden, FormInvalid, NotFound
from engine.i18n import N_, joined
from engine.models import Event, User
from engine.calendar.records import KINDS, HolidayRange, HolidayYear

LOG_KINDS = ("holidays_save", "holidays_seed")
MAX_AGE = 60.0  # seconds a process counts with its copy before it asks whether the calendar changed
WARN_FROM = (10, 1)  # from 1 October the office is told when next year's arrangement is missing
LIBRARY_SOURCE = "国务院办公厅通知（系统内置）"
LIBRARY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                 "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}
FIRST_YEAR, LAST_YEAR = 2000, 2100

_checked_at: float | None = None


@dataclass(frozen=True)
class Range:
    kind: str  # holiday | workday
    name: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Saved:
    year: HolidayYear
    recomputed: int  # open deadlines that moved


# ------------------------------------------------------------------ the calendar every process counts with

def refresh(session: Session, *, force: bool = False) -> None:
    """Count with the calendar as the database holds it: asked at most every MAX_AGE seconds unless forced."""
    global _checked_at
    if not force and _checked_at is not None and time.monotonic() - _checked_at < MAX_AGE:
        return
    stamp = tuple(session.execute(select(func.count(), func.max(HolidayYear.revision))).one())
    _checked_at = time.monotonic()
    if stamp != workdays.current().stamp:
        workdays.use(_load(session, stamp))


def forget() -> None:
    """Back to the library alone, as for an empty table (tests, a new database)."""
    global _checked_at
    workdays.use(workdays.Calendar(stamp=(0, None)))
    _checked_at = time.monotonic()


def _load(session: Session, stamp: tuple) -> workdays.Calendar:
    days: dict[dt.date, bool] = {}
    sources: dict[int, str] = {}
    for year in session.scalars(select(HolidayYear).order_by(HolidayYear.year)):
        sources[year.year] = year.source
        for row in year.ranges:
            for day in _range(row).days:
                days[day] = row.kind == "workday"
    return workdays.Calendar(days=days, sources=sources, stamp=stamp)


# ------------------------------------------------------------------ reading

def years(session: Session) -> list[HolidayYear]:
    return list(session.scalars(select(HolidayYear).order_by(HolidayYear.year.desc())))


def year(session: Session, number: int) -> HolidayYear | None:
    return session.get(HolidayYear, number)


def library_ranges(number: int) -> list[Range]:
    """What the calendar library says of `number` (empty for a year it does not know)."""
    if number not in workdays.LIBRARY_YEARS:
        return []
    found: list[Range] = []
    for kind, table in (("holiday", chinese_calendar.holidays), ("workday", chinese_calendar.workdays)):
        for day in sorted(d for d in table if d.year == number):
            name = LIBRARY_NAMES.get(table[day], table[day])
            last = found[-1] if found else None
            if last and last.kind == kind and last.name == name and last.end + dt.timedelta(days=1) == day:
                found[-1] = Range(kind, name, last.start, day)
            else:
                found.append(Range(kind, name, day, day))
    return sorted(found, key=lambda r: r.start)


def missing_next_year(today: dt.date | None = None) -> int | None:
    """Next year, when from 1 October on its arrangement is neither entered nor known to the library."""
    today = today or clock.now().date()
    if (today.month, today.day) < WARN_FROM:
        return None
    return None if workdays.known(today.year + 1) else today.year + 1


def history(session: Session) -> list[Event]:
    return audit.log_events(session, LOG_KINDS)


def verify_log(session: Session) -> bool:
    return audit.verify_log(session, LOG_KINDS)


def may_manage(user: User | None) -> bool:
    return permissions.can(user, "holidays.manage")


# ------------------------------------------------------------------ changing

def save_year(session: Session, actor: User | None, number, source: str, rows: list[dict]) -> Saved:
    """Replace a year's arrangement by `rows` (kind, name, start, end as text); refused whole, with a sentence per
    row, when anything is wrong. `actor` None is the command line. Recomputes the open deadlines it moves."""
    if actor is not None and not may_manage(actor):
        raise Forbidden(N_("只有系统管理员和政协办公室可以维护节假日安排。"))
    number, source, ranges = check(number, source, rows)
    found = session.get(HolidayYear, number)
    before = _days_of(found) if found else None
    if found is None:
        found = HolidayYear(year=number)
        session.add(found)
    found.source, found.origin = source, "office"
    found.ranges = [HolidayRange(kind=r.kind, name=r.name, start_date=r.start, end_date=r.end) for r in ranges]
    _touch(session, found, actor)
    audit.record_log(session, LOG_KINDS, "holidays_save", actor, {
        "year": number, "source": source, "ranges": [_as_text(r) for r in ranges],
        "before": [_as_text(r) for r in before] if before is not None else None})
    refresh(session, force=True)
    changed = {day.year for r in ranges for day in r.days} | {number}
    changed |= {day.year for r in before or [] for day in r.days}
    return Saved(found, deadlines.recompute(session, sorted(changed), actor))


def seed_from_library(session: Session) -> list[int]:
    """Enter every year the library knows and the table lacks (a new database); one audit event for all."""
    have = set(session.scalars(select(HolidayYear.year)))
    added = [y for y in workdays.LIBRARY_YEARS if y not in have]
    for number in added:
        entry = HolidayYear(year=number, source=LIBRARY_SOURCE, origin="library")
        entry.ranges = [HolidayRange(kind=r.kind, name=r.name, start_date=r.start, end_date=r.end)
                        for r in library_ranges(number)]
        session.add(entry)
        _touch(session, entry, None)
    if added:
        audit.record_log(session, LOG_KINDS, "holidays_seed", None, {"years": added, "source": LIBRARY_SOURCE})
        refresh(session, force=True)
    return added


def repair_recent(session: Session) -> int:
    """For `xieshang tick`: a process that had not yet seen a change counted with the old calendar for up to
    MAX_AGE seconds; recompute once more the years changed in the last two such windows."""
    since = clock.now() - dt.timedelta(seconds=2 * MAX_AGE)
    recent = sorted(session.scalars(select(HolidayYear.year).where(HolidayYear.updated_at >= since)))
    if not recent:
        return 0
    refresh(session, force=True)
    return deadlines.recompute(session, recent, None)


def _touch(session: Session, entry: HolidayYear, actor: User | None) -> None:
    session.flush()
    entry.revision = (session.scalar(select(func.max(HolidayYear.revision))) or 0) + 1
    entry.updated_at, entry.updated_by_id = clock.now(), actor.id if actor is not None else None
    session.flush()


def _days_of(entry: HolidayYear) -> list[Range]:
    return [_range(row) for row in entry.ranges]


def _range(row: HolidayRange) -> Range:
    return Range(row.kind, row.name, row.start_date, row.end_date)


def _as_text(r: Range) -> str:
    return f"{KINDS[r.kind]} {r.name} {r.start.isoformat()}—{r.end.isoformat()}"


def check(number, source, rows: list[dict], lines: list[int] | None = None) -> tuple[int, str, list[Range]]:
    """The year, its source and its ranges, or FormInvalid naming each wrong row (`lines`: the row numbers to name,
    e.g. a sheet's; by default 1, 2, 3 …)."""
    errors: dict[str, str] = {}
    try:
        number = int(str(number).strip())
    except ValueError:
        number = 0
    if not FIRST_YEAR <= number <= LAST_YEAR:
        raise FormInvalid({"year": N_("年份应为 %(first)s—%(last)s 之间的四位数字。", first=FIRST_YEAR, last=LAST_YEAR)})
    source = (source or "").strip()
    if len(source) > 200:
        errors["source"] = N_("发文字号不超过 200 个字。")
    # A year's notice may reach into the neighbouring months (元旦 from 30 December, 调休 on 4 January …).
    earliest, latest = dt.date(number - 1, 12, 1), dt.date(number + 1, 1, 31)
    ranges: list[Range] = []
    for index, row in enumerate(rows):
        row = {k: str(v if v is not None else "").strip() for k, v in row.items()}
        if not any(row.get(k) for k in ("name", "start", "end")):
            continue  # a blank line of the form
        where = lines[index] if lines else index + 1
        kind = row.get("kind") or "holiday"
        start, end = _date(row.get("start"), number), _date(row.get("end") or row.get("start"), number)
        problem = None
        if kind not in KINDS:
            problem = N_("第 %(row)s 行：类型应为“放假”或“调休上班”。", row=where)
        elif start is None or end is None:
            problem = N_("第 %(row)s 行：请按 2027-02-06 的格式填写开始和结束日期。", row=where)
        elif end < start:
            problem = N_("第 %(row)s 行：结束日期早于开始日期。", row=where)
        elif start < earliest or end > latest:
            problem = N_("第 %(row)s 行：日期应在 %(year)s 年内（可含上年 12 月和次年 1 月）。", row=where, year=number)
        elif len(row.get("name", "")) > 40:
            problem = N_("第 %(row)s 行：名称不超过 40 个字。", row=where)
        elif kind == "workday" and any(d.weekday() < 5 for d in Range(kind, "", start, end).days):
            problem = N_("第 %(row)s 行：调休上班的日期应是周六或周日（周一至周五本来就上班）。", row=where)
        if problem:
            errors[f"row-{index}"] = problem
            continue
        ranges.append(Range(kind, row.get("name", ""), start, end))
    seen: dict[dt.date, Range] = {}
    for r in ranges:
        for day in r.days:
            if day in seen:
                errors.setdefault("ranges", N_("%(day)s 同时出现在“%(first)s”和“%(second)s”中，请合并或删去一行。",
                                               day=day.isoformat(), first=seen[day].name or KINDS[seen[day].kind],
                                               second=r.name or KINDS[r.kind]))
            seen[day] = r
    if errors:
        raise FormInvalid(errors, N_("节假日安排未保存：%(problems)s", problems=joined(errors.values())))
    return number, source, sorted(ranges, key=lambda r: r.start)


def _date(text: str | None, year: int) -> dt.date | None:
    """2027-02-06, 2027/2/6, 2027.2.6, 2027年2月6日, or 2月6日 (of the year being entered)."""
    text = (text or "").strip().replace("/", "-").replace(".", "-")
    if re.fullmatch(r"\d{1,2}月\d{1,2}日", text):
        text = f"{year}年{text}"
    for pattern in ("%Y-%m-%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def require(session: Session, number: int) -> HolidayYear:
    found = session.get(HolidayYear, number)
    if found is None:
        raise NotFound(N_("%(year)s 年的节假日安排尚未录入。", year=number))
    return found
