"""The worklist: views, filters, sort, pages and the three-colour due status — SQL over the OpenTask projection,
proposals and users (and the audit log for 已办). Nothing here loads a workflow."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping

from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from . import clock, workdays
from .errors import Forbidden
from .inbox import eligible_clause, visible_clause
from .models import Event, Instance, OpenTask, ProcessVersion, User
from .records import Proposal
from .tasks import eligible, may_act

VIEWS = ("all", "mine", "claimable", "delegated", "done", "scope")
SORTS = ("due", "created", "title", "number")
DUE_STATES = ("overdue", "soon", "ok", "none")
STATUSES = ("unclaimed", "claimed", "delegated")
SUPERVISING_ROLES = frozenset({"office", "supervisor"})  # see every open task in their scope
DEFAULT_SOON_DAYS = 3
PER_PAGE, MAX_PER_PAGE = 20, 100


def soon_days_default() -> int:
    value = os.environ.get("XIESHANG_DUE_SOON_DAYS", "")
    return int(value) if value.isdigit() else DEFAULT_SOON_DAYS


def soon_threshold(now: dt.datetime, days: int) -> dt.datetime:
    """A task due before the end of the `days`-th working day from now is 'due soon'."""
    return workdays.add_working_days(now, days)


def due_state(due_at: dt.datetime | None, now: dt.datetime, threshold: dt.datetime) -> str:
    if due_at is None:
        return "none"
    if due_at < now:
        return "overdue"
    return "soon" if due_at <= threshold else "ok"


def may_supervise(user: User) -> bool:
    return bool(user.role_keys & SUPERVISING_ROLES)


@dataclass
class Filters:
    view: str = "all"
    process: str = ""
    status: str = ""
    due: str = ""
    key: bool = False
    q: str = ""
    sort: str = "due"
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def parse(cls, args: Mapping[str, Any]) -> "Filters":
        """From query-string-like values; anything unknown falls back to the default (a bad link still lists)."""
        def pick(name: str, allowed, default: str = "") -> str:
            value = str(args.get(name) or "")
            return value if value in allowed else default

        def number(name: str, default: int, top: int) -> int:
            value = str(args.get(name) or "")
            return min(max(int(value), 1), top) if value.isdigit() else default

        return cls(
            view=pick("view", VIEWS, "all"), process=str(args.get("process") or "")[:100],
            status=pick("status", STATUSES), due=pick("due", DUE_STATES),
            key=str(args.get("key") or "") in ("1", "true", "on"), q=str(args.get("q") or "").strip()[:100],
            sort=pick("sort", SORTS, "due"), desc=str(args.get("desc") or "") in ("1", "true", "on"),
            page=number("page", 1, 10_000), per_page=number("per_page", PER_PAGE, MAX_PER_PAGE))

    def saved(self) -> dict[str, Any]:
        """What a saved view keeps: everything but the page."""
        return {k: v for k, v in asdict(self).items() if k not in ("page", "per_page")}

    def args(self, **changes) -> dict[str, Any]:
        """Query-string values that differ from the defaults (for links), with `changes` applied."""
        values = {**asdict(self), **changes}
        defaults = {f.name: f.default for f in fields(self)}
        return {k: (1 if v is True else v) for k, v in values.items() if v != defaults[k]}


@dataclass
class Row:
    id: str
    instance_id: int
    title: str
    number: str
    step: str
    process: str
    created_at: dt.datetime | None
    due_at: dt.datetime | None
    due_state: str = "none"
    days_left: int | None = None
    is_key: bool = False
    proposer: str = ""
    claimed_by_id: int | None = None
    claimed_by: str = ""
    delegated_by_id: int | None = None
    delegated_by: str = ""
    candidate_user: str | None = None
    bpmn_id: str = ""
    completed_at: dt.datetime | None = None
    can_act: bool = False  # the user may open and complete it now
    can_claim: bool = False


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


_starter, _claimer, _delegator = aliased(User), aliased(User), aliased(User)


def _view_clause(user: User, view: str):
    if view == "all":
        return visible_clause(user)
    if view == "mine":
        return and_(visible_clause(user), or_(OpenTask.claimed_by_id == user.id, OpenTask.candidate_user == user.username))
    if view == "claimable":
        return and_(eligible_clause(user), OpenTask.claimed_by_id.is_(None), OpenTask.candidate_user.is_(None))
    if view == "delegated":
        return OpenTask.delegated_by_id == user.id
    if view == "scope":
        if not may_supervise(user):
            raise Forbidden("只有政协办公室和督办人员可以查看全部在办事项。")
        return true()
    return false()


def _due_clause(due: str, now: dt.datetime, threshold: dt.datetime):
    return {
        "overdue": OpenTask.due_at < now,
        "soon": and_(OpenTask.due_at >= now, OpenTask.due_at <= threshold),
        "ok": OpenTask.due_at > threshold,
        "none": OpenTask.due_at.is_(None),
    }.get(due, true())


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(q: str, title, number):
    pattern = _like(q)
    return or_(title.ilike(pattern, escape="\\"), number.ilike(pattern, escape="\\"),
               _starter.name.ilike(pattern, escape="\\"))


def _open_conditions(user: User, f: Filters, now: dt.datetime, threshold: dt.datetime) -> list:
    conditions = [_view_clause(user, f.view)]
    if f.process:
        conditions.append(OpenTask.process_key == f.process)
    if f.status == "unclaimed":
        conditions.append(OpenTask.claimed_by_id.is_(None))
    elif f.status == "claimed":
        conditions.append(and_(OpenTask.claimed_by_id.is_not(None), OpenTask.delegated_by_id.is_(None)))
    elif f.status == "delegated":
        conditions.append(OpenTask.delegated_by_id.is_not(None))
    if f.due:
        conditions.append(_due_clause(f.due, now, threshold))
    if f.key:
        conditions.append(Proposal.is_key.is_(True))
    if f.q:
        conditions.append(_search(f.q, OpenTask.title, OpenTask.business_key))
    return conditions


def _open_joins(query):
    return (query.join(Instance, Instance.id == OpenTask.instance_id)
            .outerjoin(_starter, _starter.id == Instance.started_by_id)
            .outerjoin(Proposal, Proposal.instance_id == OpenTask.instance_id))


def _open_order(f: Filters) -> list:
    due = OpenTask.due_at.desc() if f.desc else OpenTask.due_at.asc()
    created = OpenTask.created_at.desc() if f.desc else OpenTask.created_at.asc()
    title = OpenTask.title.desc() if f.desc else OpenTask.title.asc()
    number = OpenTask.business_key.desc() if f.desc else OpenTask.business_key.asc()
    first = {"due": [OpenTask.due_at.is_(None), due], "created": [created], "title": [title], "number": [number]}
    return [*first[f.sort], OpenTask.created_at, OpenTask.id]


def list_open(session: Session, user: User, f: Filters, *, soon_days: int | None = None) -> Page:
    now = clock.now()
    threshold = soon_threshold(now, soon_days if soon_days is not None else soon_days_default())
    conditions = _open_conditions(user, f, now, threshold)
    total = session.scalar(_open_joins(select(func.count()).select_from(OpenTask)).where(*conditions)) or 0
    query = (_open_joins(select(OpenTask, Proposal.is_key, _starter.name, _claimer.name, _delegator.name))
             .outerjoin(_claimer, _claimer.id == OpenTask.claimed_by_id)
             .outerjoin(_delegator, _delegator.id == OpenTask.delegated_by_id)
             .where(*conditions).order_by(*_open_order(f)).offset((f.page - 1) * f.per_page).limit(f.per_page))
    rows = []
    for task, is_key, proposer, claimer, delegator in session.execute(query):
        state = due_state(task.due_at, now, threshold)
        rows.append(Row(
            id=task.id, instance_id=task.instance_id, title=task.title or task.name, number=task.business_key,
            step=task.name, process=task.process_name or task.process_key, created_at=task.created_at,
            due_at=task.due_at, due_state=state, days_left=workdays.working_days_left(task.due_at, now.date())
            if task.due_at else None, is_key=bool(is_key), proposer=proposer or "",
            claimed_by_id=task.claimed_by_id, claimed_by=claimer or "", delegated_by_id=task.delegated_by_id,
            delegated_by=delegator or "", candidate_user=task.candidate_user, bpmn_id=task.bpmn_id,
            can_act=may_act(user, task),
            can_claim=eligible(user, task) and task.claimed_by_id is None and not task.candidate_user))
    return Page(rows=rows, total=total, page=f.page, per_page=f.per_page)


def list_done(session: Session, user: User, f: Filters) -> Page:
    """已办: the steps this person completed, newest first, from the audit log."""
    conditions = [Event.actor_id == user.id, Event.kind == "complete"]
    if f.process:
        conditions.append(Instance.process_key == f.process)
    if f.key:
        conditions.append(Proposal.is_key.is_(True))
    if f.q:
        conditions.append(_search(f.q, Instance.title, Instance.business_key))

    def joins(query):
        return (query.join(Instance, Instance.id == Event.instance_id)
                .outerjoin(_starter, _starter.id == Instance.started_by_id)
                .outerjoin(Proposal, Proposal.instance_id == Event.instance_id))

    total = session.scalar(joins(select(func.count()).select_from(Event)).where(*conditions)) or 0
    order = {"title": Instance.title, "number": Instance.business_key}.get(f.sort)
    ordering = [order.desc() if f.desc else order] if order is not None else []
    query = (joins(select(Event.id, Event.task_id, Event.task_name, Event.bpmn_id, Event.at, Event.instance_id,
                          Instance.title, Instance.business_key, ProcessVersion.name, Proposal.is_key, _starter.name))
             .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
             .where(*conditions).order_by(*ordering, Event.at.desc(), Event.id.desc())
             .offset((f.page - 1) * f.per_page).limit(f.per_page))
    rows = [Row(id=r.task_id or "", instance_id=r.instance_id, title=r.title, number=r.business_key,
                step=r.task_name or "", process=r[8], created_at=None, due_at=None, is_key=bool(r.is_key),
                proposer=r[10] or "", bpmn_id=r.bpmn_id or "", completed_at=r.at)
            for r in session.execute(query)]
    return Page(rows=rows, total=total, page=f.page, per_page=f.per_page)


def list_for(session: Session, user: User, f: Filters, *, soon_days: int | None = None) -> Page:
    page = list_done(session, user, f) if f.view == "done" else list_open(session, user, f, soon_days=soon_days)
    page.counts = counts(session, user)
    return page


def counts(session: Session, user: User) -> dict[str, int]:
    """How many tasks each open view holds, in one query (for the tabs)."""
    def count(clause):
        return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)

    query = select(count(_view_clause(user, "all")), count(_view_clause(user, "mine")),
                   count(_view_clause(user, "claimable")), count(_view_clause(user, "delegated")),
                   func.count()).select_from(OpenTask)
    if not may_supervise(user):
        query = query.where(or_(eligible_clause(user), OpenTask.delegated_by_id == user.id))
    everything, mine, claimable, delegated, scope = session.execute(query).one()
    result = {"all": everything, "mine": mine, "claimable": claimable, "delegated": delegated}
    if may_supervise(user):
        result["scope"] = scope
    return result


def processes(session: Session) -> list[tuple[str, str]]:
    """(process key, latest name) for the procedure filter."""
    rows = session.execute(select(ProcessVersion.process_key, ProcessVersion.name).order_by(ProcessVersion.version))
    return sorted({key: name for key, name in rows}.items())
