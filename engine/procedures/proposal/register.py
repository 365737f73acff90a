"""提案管理: the register of one year's proposals, read from the typed records with SQL.

Who sees which rows: whoever may `proposal.register` sees every proposal; a unit clerk who may
`proposal.register_unit` sees those their unit leads or co-handles. (A member's own and co-signed proposals are
their 我的提案.) A year is the proposals submitted in it; a session (会议届次) those numbered in its run.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import String, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine import clock
from engine.errors import Forbidden
from engine.i18n import N_
from engine.definitions.deploy import latest_version, specs
from engine.models import OpenTask, Unit, User
from engine.people import permissions, sessions
from engine.procedures.proposal.projection import HANDLING
from engine.procedures.proposal.records import Proposal
from engine.procedures.proposal.statistics import year_range
from engine.runtime import status

PAGE_SIZE = 50
PROCESS = "proposal"
SUBMIT_FORM = "forms/proposal/submit.json"
SORTS = {"number": Proposal.number, "title": Proposal.title, "proposer": User.name, "category": Proposal.category,
         "status": Proposal.status, "lead_unit": Proposal.lead_unit_code, "reply_due": Proposal.reply_due,
         "result_class": Proposal.result_class, "satisfaction": Proposal.satisfaction,
         "published": Proposal.publish_proposal}


@dataclass(frozen=True)
class Filters:
    year: int
    status: str = ""
    category: str = ""
    unit: str = ""  # lead unit code
    key: bool = False  # 重点提案 only
    overdue: bool = False  # overdue only
    q: str = ""  # part of the number, the title or the proposer's name
    origin: str = ""  # "body": 集体提案 only; "member": members' own and joint proposals only
    session: int | None = None  # a session's proposals instead of the year's
    period: str = ""  # 会议期间 | 闭会期间
    sort: str = "number"  # a key of SORTS
    desc: bool = False
    page: int = 1

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            object.__setattr__(self, "sort", "number")
        object.__setattr__(self, "page", max(1, self.page))


@dataclass(frozen=True)
class Row:
    instance_id: int
    number: str
    title: str
    proposer: str
    cosigners: list[str]  # names
    category: str
    status: str
    is_key: bool
    lead_unit: str  # name
    co_units: list[str]  # names
    reply_due: dt.datetime | None
    overdue: bool
    result_class: str | None
    satisfaction: str | None
    publish_proposal: bool
    publish_reply: bool
    body: str = ""  # 集体提案: the body's name (the proposer shown is then its contact person)
    period: str = ""  # 会议期间 | 闭会期间 (empty before sessions were opened)
    followup_due: dt.datetime | None = None  # a B reply's 回头看: when the unit reports
    followup_result: str | None = None  # 已解决 / 仍在推进 / 无法解决, once reported

    @property
    def followup(self) -> str:
        """The 回头看 state shown next to the reply class."""
        if self.followup_result:
            return f"回头看：{self.followup_result}"
        if self.followup_due:
            return f"待回头看（{self.followup_due.astimezone(clock.TZ):%Y-%m-%d}）"
        return ""


ORIGINS = {"body": N_("集体提案"), "member": N_("委员提案")}
BodyUnit = aliased(Unit)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int
    statuses: list[str] = field(default_factory=list)  # of the year, for the filter
    categories: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)  # that lead some proposal of the year
    sessions: list = field(default_factory=list)  # every session opened, for the filter


def scope(person: User) -> str | None:
    """None: every proposal; a unit code: that unit's. Forbidden for anyone else."""
    if permissions.can(person, "proposal.register"):
        return None
    if permissions.can(person, "proposal.register_unit") and person.unit is not None:
        return person.unit.code
    raise Forbidden(N_("提案管理供政协办公室、提案委员会、督办和承办单位使用；委员请查看“我的提案”。"))


def page(session: Session, person: User, filters: Filters) -> Page:
    """One page of the register as `person` may see it."""
    unit = scope(person)
    where = _where(unit, filters)
    counted = select(func.count()).select_from(Proposal)
    if filters.q.strip():  # the proposer's name is searched; otherwise the count stays on the number's index
        counted = counted.join(User, User.id == Proposal.proposer_id)
    total = session.scalar(counted.where(*where))
    pages = max(1, -(-total // PAGE_SIZE))
    current = min(filters.page, pages)
    rows = _rows(session, _ordered(_select().where(*where), filters).limit(PAGE_SIZE)
                 .offset((current - 1) * PAGE_SIZE))
    statuses, categories = _choices(session)
    units = list(session.scalars(select(Unit).where(Unit.kind != "cppcc").order_by(Unit.id)))
    return Page(rows, total, current, pages, statuses, categories, units, sessions.every(session))


def _choices(session: Session) -> tuple[list[str], list[str]]:
    """The filter's statuses (the labels of the latest diagram) and categories (its submission form's options):
    read from the deployed version, not by scanning a year of records."""
    version = latest_version(session, PROCESS)
    spec, subprocesses = specs(session, version)
    labels = {status.properties(t).get(status.LABEL) for each in (spec, *subprocesses.values())
              for t in each.task_specs.values()}
    category = ((version.forms.get(SUBMIT_FORM) or {}).get("properties") or {}).get("category") or {}
    options = [o.get("const") for o in category.get("oneOf") or [] if isinstance(o, dict)]
    return sorted(label for label in labels if label), [o for o in options if o]


def every_row(session: Session, person: User, filters: Filters) -> list[Row]:
    """Every row the filters select (no paging), in the page's order: for the Excel export."""
    return _rows(session, _ordered(_select().where(*_where(scope(person), filters)), filters))


def _select():
    return select(Proposal.instance_id, Proposal.number, Proposal.title, User.name.label("proposer"),
                  Proposal.cosigners, Proposal.category, Proposal.status, Proposal.is_key, Proposal.lead_unit_code,
                  Proposal.co_units, Proposal.reply_due, _overdue().label("overdue"), Proposal.result_class,
                  Proposal.satisfaction, Proposal.publish_proposal, Proposal.publish_reply,
                  BodyUnit.name.label("body"), Proposal.period, Proposal.followup_due, Proposal.followup_result) \
        .join(User, User.id == Proposal.proposer_id).outerjoin(BodyUnit, BodyUnit.code == Proposal.body_code)


def _overdue():
    """Past its reply deadline, not closed, and not replied in this round (never replied, or handling again)."""
    handling = exists().where(OpenTask.instance_id == Proposal.instance_id, OpenTask.bpmn_id.in_(HANDLING))
    return and_(Proposal.closed_at.is_(None), Proposal.reply_due.is_not(None), Proposal.reply_due < clock.now(),
                or_(Proposal.replied_at.is_(None), handling))


def _where(unit: str | None, f: Filters) -> list:
    if f.session:
        where = [Proposal.session_id == f.session]
    else:
        start, end = year_range(f.year)
        where = [Proposal.submitted_at >= start, Proposal.submitted_at < end]
    if f.period:
        where.append(Proposal.period == f.period)
    if unit is not None:
        where.append(or_(Proposal.lead_unit_code == unit, cast(Proposal.co_units, String).contains(f'"{unit}"')))
    if f.status:
        where.append(Proposal.status == f.status)
    if f.category:
        where.append(Proposal.category == f.category)
    if f.unit:
        where.append(Proposal.lead_unit_code == f.unit)
    if f.key:
        where.append(Proposal.is_key.is_(True))
    if f.origin == "body":
        where.append(Proposal.body_code.is_not(None))
    elif f.origin == "member":
        where.append(Proposal.body_code.is_(None))
    if f.overdue:
        where.append(_overdue())
    q = f.q.strip()
    if q:
        where.append(or_(Proposal.number.contains(q, autoescape=True), Proposal.title.contains(q, autoescape=True),
                         User.name.contains(q, autoescape=True)))
    return where


def _ordered(query, f: Filters):
    column = SORTS[f.sort]
    order = column.desc() if f.desc else column.asc()
    return query.order_by(order, Proposal.number.desc() if f.desc else Proposal.number)


def _rows(session: Session, query) -> list[Row]:
    found = session.execute(query).all()
    usernames = {name for r in found for name in r.cosigners or ()}
    names = dict(session.execute(select(User.username, User.name).where(User.username.in_(usernames)))
                 .tuples().all()) if usernames else {}
    codes = {code for r in found for code in [r.lead_unit_code, *(r.co_units or ())] if code}
    units = dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes))).tuples().all()) \
        if codes else {}
    return [Row(r.instance_id, r.number, r.title, r.proposer, [names.get(u, u) for u in r.cosigners or ()],
                r.category, r.status, bool(r.is_key), units.get(r.lead_unit_code, r.lead_unit_code or ""),
                [units.get(c, c) for c in r.co_units or ()], r.reply_due, bool(r.overdue), r.result_class,
                r.satisfaction, bool(r.publish_proposal), bool(r.publish_reply), r.body or "", r.period or "",
                r.followup_due, r.followup_result)
            for r in found]
