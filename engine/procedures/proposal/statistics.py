"""提案统计: one year's proposals (by the day they were submitted, Asia/Shanghai), or one session's (会议届次: those
numbered in its run), counted with SQL from the typed `proposals` records the projector keeps — never from workflow
state.

- totals: 提交, 立案, 不立案, 并案 (and 待审查, not yet decided);
- by category: 提交 and 立案;
- by lead unit (立案 proposals whose 主办单位 it is now): 承办, 已签收 and 按期签收 (accepted by the end of the
  7-working-day return window; 逾期视为签收 is not on time), 应答复 (replied, or past the deadline) and 按期答复 (the
  first reply by its deadline, an agreed extension included), reply classes A/B/C, 满意 / 基本满意 / 不满意 (the last
  evaluation), 重新办理, 超期 (the first reply after its deadline, or none and the deadline passed) with the days;
- by period: 会议期间 and 闭会期间 (submitted during the plenary days or between sessions);
- by origin: 集体提案 (a body on the roster is the proposer) and 委员提案 apart, and each body's 提交 and 立案;
- 评价: of the filed proposals evaluated (the last evaluation), both questions' 满意 / 基本满意 / 不满意 and their
  rates (满意率 = 满意 and 基本满意 over the evaluated), and 面办率 (replied proposals whose unit met the proposer face to
  face, over the replied ones);
- 回头看: the B replies (正在解决或列入计划, the last reply), those with a 回头看 scheduled, reported, and what the unit
  reported (已解决 / 仍在推进 / 无法解决) — B → solved;
- by member: 提交 as proposer (a collective proposal is the body's, not its contact person's), 联名 as a co-signer
  who agreed;
- 重点提案: each key proposal's progress; and the overdue proposals with their days.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Unit, User
from engine.procedures.proposal.records import Proposal, ProposalCosigner

FILED, NOT_FILED, MERGED = "立案", "不立案", "并案"
CLASSES = ("A", "B", "C")
SATISFACTION = ("满意", "基本满意", "不满意")
FOLLOWUP_RESULTS = ("已解决", "仍在推进", "无法解决")
FACE_TO_FACE = "面对面"  # the reply's contact_method when the unit met the proposer in person (面办)
OVERDUE_LISTED = 500  # the page and the workbook list the most overdue; the unit table counts them all


@dataclass(frozen=True)
class Totals:
    submitted: int
    filed: int
    not_filed: int
    merged: int
    pending: int


@dataclass(frozen=True)
class CategoryRow:
    category: str
    submitted: int
    filed: int


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    handled: int
    accepted: int
    accepted_on_time: int
    reply_due: int  # replied, or the deadline passed without a reply
    replied_on_time: int
    classes: dict[str, int]
    satisfaction: dict[str, int]
    rehandled: int
    overdue: int
    overdue_days: int

    @property
    def reply_rate(self) -> float | None:
        """按期答复率: the share of the replies due so far that came by their deadline."""
        return self.replied_on_time / self.reply_due if self.reply_due else None


@dataclass(frozen=True)
class Evaluation:
    """满意度 on both questions (办理工作: 联系沟通、办理态度; 办理结果) and 面办率, over the year's filed proposals."""
    evaluated: int
    work: dict[str, int]
    result: dict[str, int]
    replied: int
    face_to_face: int

    @property
    def work_rate(self) -> float | None:
        return (self.work["满意"] + self.work["基本满意"]) / self.evaluated if self.evaluated else None

    @property
    def result_rate(self) -> float | None:
        return (self.result["满意"] + self.result["基本满意"]) / self.evaluated if self.evaluated else None

    @property
    def face_rate(self) -> float | None:
        return self.face_to_face / self.replied if self.replied else None


@dataclass(frozen=True)
class FollowUp:
    """回头看 of the year's B replies: scheduled, reported, and what became of them."""
    b_replies: int
    scheduled: int
    reported: int
    results: dict[str, int]

    @property
    def solved_rate(self) -> float | None:
        """B → solved: the share of the reported B replies the unit reported as 已解决."""
        return self.results["已解决"] / self.reported if self.reported else None


@dataclass(frozen=True)
class MemberRow:
    username: str
    name: str
    submitted: int
    cosigned: int


@dataclass(frozen=True)
class BodyRow:
    """A body's collective proposals (集体提案)."""
    code: str
    name: str
    submitted: int
    filed: int


@dataclass(frozen=True)
class KeyRow:
    instance_id: int
    number: str
    title: str
    proposer: str
    unit: str
    status: str
    reply_due: dt.datetime | None
    replied_at: dt.datetime | None
    result_class: str | None
    satisfaction: str | None


@dataclass(frozen=True)
class OverdueRow:
    instance_id: int
    number: str
    title: str
    unit: str
    unit_code: str
    due: dt.datetime
    replied_at: dt.datetime | None
    days: int


@dataclass(frozen=True)
class Statistics:
    year: int
    totals: Totals
    categories: list[CategoryRow]
    units: list[UnitRow]
    members: list[MemberRow]
    key_proposals: list[KeyRow]
    overdue: list[OverdueRow]
    evaluation: Evaluation | None = None
    followup: FollowUp | None = None
    bodies: list[BodyRow] = field(default_factory=list)
    periods: dict[str, int] = field(default_factory=dict)  # 会议期间 / 闭会期间 → submitted ("" before any session)
    session_id: int | None = None  # a session's figures, not the year's
    session_name: str = ""

    @property
    def collective(self) -> int:
        """集体提案 submitted."""
        return sum(b.submitted for b in self.bodies)

    @property
    def collective_filed(self) -> int:
        return sum(b.filed for b in self.bodies)


def year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(year, 1, 1, tzinfo=clock.TZ), dt.datetime(year + 1, 1, 1, tzinfo=clock.TZ)


def for_year(session: Session, year: int) -> Statistics:
    return _for(session, _in_year(year), year=year)


def for_session(session: Session, plenary) -> Statistics:
    """The figures of one session's proposals (engine/people/sessions.py), whatever their year."""
    return _for(session, Proposal.session_id == plenary.id, year=plenary.starts_on.year, session_id=plenary.id,
                session_name=plenary.name)


def _for(session: Session, in_year, *, year: int, **which) -> Statistics:
    now = clock.now()
    totals, categories = _by_category(session, in_year)
    counted = _unit_counts(session, in_year, now)
    overdue = _overdue(session, in_year, now) if any(row[-1] for row in counted) else []
    return Statistics(year=year, totals=totals, categories=categories, units=_units(counted, overdue),
                      members=_members(session, in_year), key_proposals=_key_proposals(session, in_year),
                      overdue=sorted(overdue, key=lambda r: (-r.days, r.number))[:OVERDUE_LISTED],
                      bodies=_bodies(session, in_year), periods=_periods(session, in_year),
                      evaluation=_evaluation(session, in_year), followup=_followup(session, in_year), **which)


def overdue_days(due: dt.datetime, replied_at: dt.datetime | None, now: dt.datetime) -> int:
    """Calendar days (Asia/Shanghai) from the deadline to the reply, or to now without one; at least 1 when late."""
    later = replied_at or now
    if later <= due:
        return 0
    return max(1, (later.astimezone(clock.TZ).date() - due.astimezone(clock.TZ).date()).days)


# the conditions ------------------------------------------------------------------------------------------------------
def _in_year(year: int):
    start, end = year_range(year)
    return and_(Proposal.submitted_at >= start, Proposal.submitted_at < end)


def _count(condition=None):
    return func.count() if condition is None else func.count(case((condition, 1)))


ACCEPTED_ON_TIME = and_(Proposal.accepted_at.is_not(None), Proposal.accept_due.is_not(None),
                        Proposal.accepted_at <= Proposal.accept_due)
REPLIED_ON_TIME = and_(Proposal.replied_at.is_not(None), Proposal.first_reply_due.is_not(None),
                       Proposal.replied_at <= Proposal.first_reply_due)
LATE_REPLY = and_(Proposal.replied_at.is_not(None), Proposal.first_reply_due.is_not(None),
                  Proposal.replied_at > Proposal.first_reply_due)


def _unreplied_late(now: dt.datetime):
    return and_(Proposal.replied_at.is_(None), Proposal.closed_at.is_(None), Proposal.reply_due.is_not(None),
                Proposal.reply_due < now)


def _handled():
    return and_(Proposal.decision == FILED, Proposal.lead_unit_code.is_not(None))


# the figures ---------------------------------------------------------------------------------------------------------
def _by_category(session: Session, in_year) -> tuple[Totals, list[CategoryRow]]:
    """The totals and the category rows, from one GROUP BY over the year."""
    decided: dict[str | None, int] = {}
    rows: dict[str, list[int]] = {}
    for category, decision, count in session.execute(
            select(Proposal.category, Proposal.decision, _count()).where(in_year)
            .group_by(Proposal.category, Proposal.decision)):
        decided[decision] = decided.get(decision, 0) + count
        row = rows.setdefault(category or "—", [0, 0])
        row[0] += count
        row[1] += count if decision == FILED else 0
    totals = Totals(sum(decided.values()), decided.get(FILED, 0), decided.get(NOT_FILED, 0), decided.get(MERGED, 0),
                    decided.get(None, 0))
    categories = [CategoryRow(name, submitted, filed) for name, (submitted, filed) in rows.items()]
    return totals, sorted(categories, key=lambda c: (-c.submitted, c.category))


def _unit_counts(session: Session, in_year, now: dt.datetime) -> list:
    late = or_(LATE_REPLY, _unreplied_late(now))
    columns = [Proposal.lead_unit_code, func.max(Unit.name), _count(), _count(Proposal.accepted_at.is_not(None)),
               _count(ACCEPTED_ON_TIME), _count(or_(Proposal.replied_at.is_not(None), _unreplied_late(now))),
               _count(REPLIED_ON_TIME), *[_count(Proposal.result_class == c) for c in CLASSES],
               *[_count(Proposal.satisfaction == s) for s in SATISFACTION],
               _count(Proposal.rehandled_at.is_not(None)), _count(late)]
    return session.execute(select(*columns).outerjoin(Unit, Unit.code == Proposal.lead_unit_code)
                           .where(in_year, _handled()).group_by(Proposal.lead_unit_code)
                           .order_by(_count().desc(), Proposal.lead_unit_code)).all()


def _units(counted: list, overdue: list[OverdueRow]) -> list[UnitRow]:
    days: dict[str, int] = {}
    for row in overdue:
        days[row.unit_code] = days.get(row.unit_code, 0) + row.days
    out = []
    for code, name, handled, accepted, on_time, due, replied_on_time, *rest in counted:
        classes, satisfaction = dict(zip(CLASSES, rest[:3])), dict(zip(SATISFACTION, rest[3:6]))
        out.append(UnitRow(code, name or code, handled, accepted, on_time, due, replied_on_time, classes,
                           satisfaction, rehandled=rest[6], overdue=rest[7], overdue_days=days.get(code, 0)))
    return out


def _periods(session: Session, in_year) -> dict[str, int]:
    return {period or "": count for period, count in session.execute(
        select(Proposal.period, _count()).where(in_year).group_by(Proposal.period))}


def _bodies(session: Session, in_year) -> list[BodyRow]:
    rows = session.execute(select(Proposal.body_code, func.max(Unit.name), _count(), _count(Proposal.decision == FILED))
                           .outerjoin(Unit, Unit.code == Proposal.body_code)
                           .where(in_year, Proposal.body_code.is_not(None)).group_by(Proposal.body_code))
    return sorted((BodyRow(code, name or code, submitted, filed) for code, name, submitted, filed in rows),
                  key=lambda b: (-b.submitted, b.code))


def _evaluation(session: Session, in_year) -> Evaluation:
    """One pass over the year's filed proposals: both evaluations (a proposal counts once both are given) and 面办率."""
    evaluated = and_(Proposal.satisfaction.is_not(None), Proposal.satisfaction_work.is_not(None))
    replied = Proposal.replied_at.is_not(None)
    row = session.execute(select(
        _count(evaluated), *[_count(and_(evaluated, Proposal.satisfaction_work == s)) for s in SATISFACTION],
        *[_count(and_(evaluated, Proposal.satisfaction == s)) for s in SATISFACTION], _count(replied),
        _count(and_(replied, Proposal.contact_method == FACE_TO_FACE))).where(in_year, _handled())).one()
    return Evaluation(row[0], dict(zip(SATISFACTION, row[1:4])), dict(zip(SATISFACTION, row[4:7])), row[7], row[8])


def _followup(session: Session, in_year) -> FollowUp:
    b = Proposal.result_class == "B"
    row = session.execute(select(
        _count(b), _count(and_(b, Proposal.followup_due.is_not(None))),
        _count(and_(b, Proposal.followup_result.is_not(None))),
        *[_count(and_(b, Proposal.followup_result == r)) for r in FOLLOWUP_RESULTS]).where(in_year, _handled())).one()
    return FollowUp(row[0], row[1], row[2], dict(zip(FOLLOWUP_RESULTS, row[3:6])))


def _members(session: Session, in_year) -> list[MemberRow]:
    submitted = dict(session.execute(select(User.username, _count()).join(Proposal, Proposal.proposer_id == User.id)
                                     .where(in_year, Proposal.body_code.is_(None)).group_by(User.username)).all())
    cosigned = dict(session.execute(
        select(ProposalCosigner.username, _count()).join(Proposal, Proposal.id == ProposalCosigner.proposal_id)
        .where(in_year, ProposalCosigner.status == "agreed").group_by(ProposalCosigner.username)).all())
    names = dict(session.execute(select(User.username, User.name)
                                 .where(User.username.in_(set(submitted) | set(cosigned)))).all())
    rows = [MemberRow(username, names.get(username, username), submitted.get(username, 0),
                      cosigned.get(username, 0)) for username in set(submitted) | set(cosigned)]
    return sorted(rows, key=lambda r: (-(r.submitted + r.cosigned), r.username))


def _key_proposals(session: Session, in_year) -> list[KeyRow]:
    rows = session.execute(
        select(Proposal.instance_id, Proposal.number, Proposal.title, User.name, Unit.name, Proposal.lead_unit_code,
               Proposal.status, Proposal.reply_due, Proposal.replied_at, Proposal.result_class, Proposal.satisfaction)
        .join(User, User.id == Proposal.proposer_id).outerjoin(Unit, Unit.code == Proposal.lead_unit_code)
        .where(in_year, Proposal.is_key.is_(True)).order_by(Proposal.number))
    return [KeyRow(instance_id, number, title, proposer, unit or code or "", status, reply_due, replied_at,
                   result_class, satisfaction)
            for (instance_id, number, title, proposer, unit, code, status, reply_due, replied_at, result_class,
                 satisfaction) in rows]


def _overdue(session: Session, in_year, now: dt.datetime) -> list[OverdueRow]:
    """Every overdue proposal of the year (the page lists the most overdue; the units add up their days)."""
    due = func.coalesce(Proposal.first_reply_due, Proposal.reply_due)
    rows = session.execute(
        select(Proposal.instance_id, Proposal.number, Proposal.title, Unit.name, Proposal.lead_unit_code, due,
               Proposal.replied_at).outerjoin(Unit, Unit.code == Proposal.lead_unit_code)
        .where(in_year, _handled(), or_(LATE_REPLY, _unreplied_late(now))))
    return [OverdueRow(instance_id, number, title, unit or code, code, deadline, replied_at,
                       overdue_days(deadline, replied_at, now))
            for instance_id, number, title, unit, code, deadline, replied_at in rows]
