"""What the obligations board counts: named sets of typed records (never workflow JSON), each with the instance its
rows belong to (the links on the board) and the columns a measure may filter on."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, func, or_, select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Instance, ScheduledStart, Unit
from engine.procedures.consultation.records import (LEADERSHIPS, Consultation, ConsultationPlan, Implementation,
                                                    Instruction, Outcome, PlenaryLeadership)
from engine.procedures.duty import report as duty
from engine.procedures.proposal.records import Proposal
from engine.procedures.supervision.records import Appraisal, DivisionTask, DutyAssessment, Inspection, SheqingItem
from engine.procedures.yearly.records import CountyEvent, YearPlan, YearPlanItem
from engine.people.records import LiaisonGroup, Term


@dataclass(frozen=True)
class Source:
    model: Any
    instance: Any  # the column naming the instance a row belongs to (None: no link)
    label: str


SOURCES: dict[str, Source] = {
    "plans": Source(ConsultationPlan, ConsultationPlan.instance_id, "年度协商计划"),
    "consultations": Source(Consultation, Consultation.instance_id, "协商活动"),
    "outcomes": Source(Outcome, Outcome.instance_id, "协商成果"),
    "instructions": Source(Instruction, None, "领导批示"),
    "implementations": Source(Implementation, None, "落实情况"),
    "proposals": Source(Proposal, Proposal.instance_id, "提案"),
    "appraisals": Source(Appraisal, Appraisal.instance_id, "民主评议"),
    "inspections": Source(Inspection, Inspection.instance_id, "视察调研"),
    "sheqing": Source(SheqingItem, SheqingItem.instance_id, "社情民意"),
    "duty_assessments": Source(DutyAssessment, DutyAssessment.instance_id, "履职考核"),
    "division_tasks": Source(DivisionTask, DivisionTask.instance_id, "分工任务"),
    "year_plans": Source(YearPlan, YearPlan.instance_id, "界别年度活动计划、年度视察工作计划"),
    "county_events": Source(CountyEvent, CountyEvent.instance_id, "县委、县政府支持政协工作事项"),
    "plenary_leaderships": Source(PlenaryLeadership, PlenaryLeadership.instance_id, "全体会议出席的领导班子"),
}
FIELDS_OF = {name: set(source.model.__table__.c.keys()) for name, source in SOURCES.items()}
FIELDS_OF["members_duty"] = {"complete"}
SETS = ("counterpart_units", "liaison_groups", "leaderships")
SET_NOUNS = {"counterpart_units": "个单位", "liaison_groups": "个活动组", "leaderships": "个领导班子"}


def condition(model, field: str, wanted):
    """One filter of a measure's `where`: a value, a list of values, {"not_null": true}, {"before": other column};
    under the key "any_not_null" a list of columns one of which is set, under "any" filters one of which holds."""
    if field == "any_not_null":
        return or_(*(getattr(model, name).is_not(None) for name in wanted))
    if field == "any":
        return or_(*(condition(model, name, value) for name, value in wanted.items()))
    column = getattr(model, field)
    if isinstance(wanted, dict) and "not_null" in wanted:
        return column.is_not(None) if wanted["not_null"] else column.is_(None)
    if isinstance(wanted, dict) and "before" in wanted:
        return and_(column.is_not(None), column <= getattr(model, wanted["before"]))
    if isinstance(wanted, list):
        return column.in_(wanted)
    if isinstance(wanted, bool):
        return column.is_(wanted)
    return column == wanted


def _bounds(column, start: dt.date, end: dt.date) -> tuple:
    if isinstance(column.type, Date):  # a day column; the others are moments (engine.models.UTCDateTime)
        return start, end
    return (dt.datetime.combine(start, dt.time(0), tzinfo=clock.TZ), dt.datetime.combine(end, dt.time(0), tzinfo=clock.TZ))


LINKS = 51  # cases linked from an obligation (the page shows 50 and says there are more)


def _conditions(name: str, date: str | None, start: dt.date, end: dt.date, where: dict | None,
                part: dict | None = None) -> list:
    model = SOURCES[name].model
    conditions = [condition(model, field, wanted) for field, wanted in {**(where or {}), **(part or {})}.items()]
    if date:
        column = getattr(model, date)
        low, high = _bounds(column, start, end)
        conditions += [column >= low, column < high]
    return conditions


def count(session: Session, name: str, date: str | None, start: dt.date, end: dt.date, where: dict | None,
          part: dict | None = None) -> int:
    """How many rows of `name` dated in [start, end) pass `where` (and `part`): counted by the database."""
    model = SOURCES[name].model
    return session.scalar(select(func.count()).select_from(model)
                          .where(*_conditions(name, date, start, end, where, part))) or 0


def counts_by(session: Session, name: str, date: str | None, start: dt.date, end: dt.date, where: dict | None,
              key: str) -> dict[Any, int]:
    model = SOURCES[name].model
    column = getattr(model, key)
    return dict(session.execute(select(column, func.count()).where(*_conditions(name, date, start, end, where))
                                .group_by(column)).all())


def ids(session: Session, name: str, date: str | None, start: dt.date, end: dt.date, where: dict | None,
        part: dict | None = None) -> list[int]:
    """The first LINKS instances the counted rows belong to (none for rows of no instance)."""
    source = SOURCES[name]
    if source.instance is None:
        return []
    return list(session.scalars(select(source.instance).where(*_conditions(name, date, start, end, where, part))
                                .distinct().order_by(source.instance).limit(LINKS)))


def rows(session: Session, name: str, date: str | None, start: dt.date, end: dt.date, where: dict | None,
         part: dict | None = None, key: str | None = None) -> list[tuple[int | None, Any]]:
    """(instance id, key value) of each row of `name` dated in [start, end) that passes `where` (and `part`)."""
    source = SOURCES[name]
    model = source.model
    conditions = [condition(model, field, wanted) for field, wanted in (where or {}).items()]
    conditions += [condition(model, field, wanted) for field, wanted in (part or {}).items()]
    if date:
        column = getattr(model, date)
        low, high = _bounds(column, start, end)
        conditions += [column >= low, column < high]
    instance = source.instance if source.instance is not None else model.id
    keyed = getattr(model, key) if key else instance
    return [(r[0] if source.instance is not None else None, r[1])
            for r in session.execute(select(instance, keyed).where(*conditions))]


def started_not_finished(session: Session, name: str, date: str, start: dt.date, end: dt.date,
                         where: dict | None) -> int:
    """Rows begun in the period that have not reached the measure's date yet (work under way)."""
    source = SOURCES[name]
    model = source.model
    begun = getattr(model, "started_at", None) or getattr(model, "created_at", None)
    if begun is None or date in ("started_at", "created_at"):
        return 0
    low, high = _bounds(begun, start, end)
    conditions = [condition(model, field, wanted) for field, wanted in (where or {}).items()]
    return session.scalar(select(func.count()).select_from(model).where(
        *conditions, getattr(model, date).is_(None), begun >= low, begun < high)) or 0


def member_duty(session: Session, year: int) -> list[tuple[int, bool]]:
    """(member id, all 五个一 items met) for every active member in the year."""
    return [(record.user_id, record.complete) for record in duty.records(session, year)]


def members_of(session: Session, name: str) -> list[str]:
    if name == "counterpart_units":  # the county departments that owe a counterpart consultation (units.json kind dept)
        return list(session.scalars(select(Unit.code).where(Unit.kind == "dept").order_by(Unit.code)))
    if name == "leaderships":
        return list(LEADERSHIPS)
    if name == "liaison_groups":  # the roster's 委员联络活动组, by name (as the sub-plans record them)
        return list(session.scalars(select(LiaisonGroup.name).order_by(LiaisonGroup.name)))
    raise KeyError(name)


def plan_progress(session: Session, kind: str, start: dt.date, end: dt.date) -> list[str]:
    """Per approved sub-plan of the period: its items, how many have started and how many are finished."""
    low, high = _bounds(YearPlan.approved_at, start, end)
    rows = session.execute(
        select(YearPlan.sector_group, YearPlan.title, func.count(YearPlanItem.id), func.count(ScheduledStart.instance_id),
               func.count(Instance.completed_at))
        .join(YearPlanItem, YearPlanItem.plan_id == YearPlan.id)
        .outerjoin(ScheduledStart, ScheduledStart.id == YearPlanItem.scheduled_start_id)
        .outerjoin(Instance, Instance.id == ScheduledStart.instance_id)
        .where(YearPlan.kind == kind, YearPlan.approved_at >= low, YearPlan.approved_at < high)
        .group_by(YearPlan.id, YearPlan.sector_group, YearPlan.title).order_by(YearPlan.sector_group, YearPlan.id))
    return [f"{group or title}：计划 {planned} 项，已开展 {begun} 项，已办结 {finished} 项"
            for group, title, planned, begun, finished in rows]


def term_of(session: Session, year: int) -> tuple[int, int] | None:
    """(first year, last year) of the roster's 届 that `year` falls in, if one is entered."""
    found = session.execute(select(Term.start_year, Term.end_year).where(Term.start_year <= year, Term.end_year >= year)
                            .order_by(Term.start_year.desc()).limit(1)).first()
    return (found[0], found[1]) if found else None


def unit_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Unit.code, Unit.name)).all())
