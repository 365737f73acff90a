"""会议届次: the plenary sessions the office opens on the roster (第几届第几次会议 and its plenary dates). A proposal
belongs to the session whose plenary began last on or before the day it was submitted ("X届X次会议以来"): it is
numbered in that session's run, in the office's format, and is 会议期间 when submitted during the plenary days,
闭会期间 otherwise. Before the first session is opened, proposals keep the year's numbers (2026-001).

The number format holds the placeholders {届} {次} {年} (the plenary's year) and {序号} (001, 002 …); the office
chooses it when it opens the session, and numbers of different sessions (and the year's numbers) never coincide.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock
from engine.errors import FormInvalid
from engine.i18n import N_
from engine.models import Base

DURING, BETWEEN = "会议期间", "闭会期间"
PERIODS = (DURING, BETWEEN)
DEFAULT_FORMAT = "{届}{次}-{序号}"
PLACEHOLDERS = ("{届}", "{次}", "{年}", "{序号}")
NUMBER_LENGTH = 30  # proposals.number


class PlenarySession(Base):
    """第几届第几次会议, its plenary days, and how its proposals are numbered."""

    __tablename__ = "plenary_sessions"
    __table_args__ = (UniqueConstraint("term", "meeting"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[int] = mapped_column(Integer)  # 届, e.g. 10 for 第十届
    meeting: Mapped[int] = mapped_column(Integer)  # 次会议, e.g. 3 for 第三次会议
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)  # the plenary's first day
    ends_on: Mapped[dt.date] = mapped_column(Date)  # its last day
    number_format: Mapped[str] = mapped_column(String(60), default=DEFAULT_FORMAT)
    opened_at: Mapped[dt.datetime]

    @property
    def name(self) -> str:
        return f"第{chinese(self.term)}届第{chinese(self.meeting)}次会议"

    def number(self, seq: int) -> str:
        return render(self.number_format, self.term, self.meeting, self.starts_on.year, seq)

    def period(self, moment: dt.datetime) -> str:
        return DURING if self.starts_on <= _day(moment) <= self.ends_on else BETWEEN


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 21 → 二十一 (届 and 次 as they are written)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")
    return str(n)


def render(fmt: str, term: int, meeting: int, year: int, seq: int) -> str:
    return (fmt.replace("{届}", str(term)).replace("{次}", str(meeting)).replace("{年}", str(year))
            .replace("{序号}", f"{seq:03d}"))


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.TZ).date()


def every(session: Session) -> list[PlenarySession]:
    """Every session opened, the latest first."""
    return list(session.scalars(select(PlenarySession).order_by(PlenarySession.starts_on.desc())))


def covering(session: Session, moment: dt.datetime) -> PlenarySession | None:
    """The session a proposal submitted at `moment` belongs to: the last whose plenary began on or before that day.
    Read once per transaction and day (numbering and the record both ask while a proposal starts)."""
    transaction, known = session.info.get(_COVERING, (None, {}))
    if transaction is not session.get_transaction():  # a new transaction may see sessions opened since
        known = {}
        session.info[_COVERING] = (session.get_transaction(), known)
    day = _day(moment)
    if day not in known:
        known[day] = session.scalar(select(PlenarySession).where(PlenarySession.starts_on <= day)
                                    .order_by(PlenarySession.starts_on.desc()).limit(1))
    return known[day]


_COVERING = "sessions.covering"


def open_session(session: Session, term, meeting, starts_on, ends_on, number_format: str = "") -> PlenarySession:
    """The office opens a session: checks every field and that it follows the sessions opened before."""
    errors: dict[str, str] = {}
    term_no, meeting_no = _count(term), _count(meeting)
    if term_no is None:
        errors["term"] = N_("请填写第几届（1–99 的整数）")
    if meeting_no is None:
        errors["meeting"] = N_("请填写第几次会议（1–99 的整数）")
    first, last = _date(starts_on), _date(ends_on)
    if first is None:
        errors["starts_on"] = N_("请填写大会开幕日期（如 2027-01-10）")
    if last is None:
        errors["ends_on"] = N_("请填写大会闭幕日期（如 2027-01-13）")
    elif first is not None and last < first:
        errors["ends_on"] = N_("闭幕日期不能早于开幕日期")
    fmt = (number_format or "").strip() or DEFAULT_FORMAT
    leftover = fmt
    for placeholder in PLACEHOLDERS:
        leftover = leftover.replace(placeholder, "")
    if "{序号}" not in fmt or "{" in leftover or "}" in leftover or len(fmt) > 60:
        errors["number_format"] = N_("编号格式须含 {序号}，只能用 {届} {次} {年} {序号} 这几个占位符")
    if errors:
        raise FormInvalid(errors)
    if len(render(fmt, term_no, meeting_no, first.year, 999)) > NUMBER_LENGTH:
        raise FormInvalid({"number_format": N_("按此格式的编号过长（最多 30 个字符）")})
    opened = every(session)
    if any((s.term, s.meeting) == (term_no, meeting_no) for s in opened):
        raise FormInvalid({"meeting": N_("第%(term)s届第%(meeting)s次会议已经开过", term=term_no, meeting=meeting_no)})
    latest = opened[0] if opened else None
    if latest is not None and ((term_no, meeting_no) < (latest.term, latest.meeting) or first <= latest.ends_on):
        raise FormInvalid({"starts_on": N_("新的会议须在%(name)s（%(day)s 闭幕）之后",
                                           name=latest.name, day=latest.ends_on.isoformat())})
    mine = render(fmt, term_no, meeting_no, first.year, 1)
    for other in opened:
        if other.number(1) == mine:
            raise FormInvalid({"number_format": N_("按此格式的编号会与%(name)s的编号重复", name=other.name)})
    if re.fullmatch(r"\d{4}-\d{3}", mine):
        raise FormInvalid({"number_format": N_("按此格式的编号会与按年度编的编号（如 2026-001）重复")})
    row = PlenarySession(term=term_no, meeting=meeting_no, starts_on=first, ends_on=last, number_format=fmt,
                         opened_at=clock.now())
    session.add(row)
    session.info.pop(_COVERING, None)
    session.flush()
    return row


def _count(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 99 else None


def _date(value) -> dt.date | None:
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None
