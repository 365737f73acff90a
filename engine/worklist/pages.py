"""The worklist: views, filters, sort, pages and the three-colour due status — SQL over the OpenTask projection,
proposals and users (and the audit log for 已办). Nothing here loads a workflow."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.calendar import workdays
from engine.models import Event, Instance, ProcessVersion, User
from engine.runtime.tasks import eligible, may_act
from engine.worklist.queries import (COUNT_CAP, Filters, _like, _may_see_scope, _open_statements, _params,
                                     _search, _shape, _sizes, _starter, _tab_counts, _windows, may_supervise)
from engine import settings

__all__ = ["COUNT_CAP", "Filters", "Page", "Row", "counts", "due_state", "list_done", "list_for", "list_open",
           "may_supervise", "processes", "soon_days_default", "soon_threshold"]


def soon_days_default(session: Session) -> int:
    """How many working days ahead a task counts as due soon, as the installation set it (engine/settings.py)."""
    return settings.of(session).due_soon_days


def soon_threshold(now: dt.datetime, days: int) -> dt.datetime:
    """A task due before the end of the `days`-th working day from now is 'due soon'."""
    return _threshold(now.astimezone(clock.TZ).date(), days)


@functools.lru_cache(maxsize=64)
def _threshold(day: dt.date, days: int) -> dt.datetime:
    return workdays.add_working_days(dt.datetime.combine(day, dt.time(12), tzinfo=clock.TZ), days)


def due_state(due_at: dt.datetime | None, now: dt.datetime, threshold: dt.datetime) -> str:
    if due_at is None:
        return "none"
    if due_at < now:
        return "overdue"
    return "soon" if due_at <= threshold else "ok"


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
    due_pending: bool = False  # counted across a year whose holidays are not entered yet (待核定)
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
    counts: dict[str, int] = field(default_factory=dict)  # per tab, counted up to COUNT_CAP + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def count_text(self, view: str) -> str:
        """A tab's count as shown: the number, or “1000+” beyond the cap."""
        n = self.counts.get(view, 0)
        return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)


def list_open(session: Session, user: User, f: Filters, *, soon_days: int | None = None, tabs: bool = False) -> Page:
    """A page of an open view. `tabs`: with the tab counts (`counts`), read by the same statement as the total."""
    now = clock.now()
    threshold = soon_threshold(now, soon_days if soon_days is not None else soon_days_default(session))
    if f.view == "scope":
        _may_see_scope(user)
    views = _tab_views(user) if tabs else ()
    unfiltered = not (f.process or f.status or f.due or f.key or f.q)
    todo = tuple(view for view in views if not (unfiltered and view == f.view))  # that one is the total
    count, query = _open_statements(len(user.role_keys), user.unit is not None, _shape(f), todo)
    params = _params(user, f, now, threshold)
    connection = session.connection()  # Core statements: no ORM result machinery
    values = connection.execute(count, params).one()
    sizes = _sizes(values[:len(values) - len(todo)])
    total, offset = sum(sizes), (f.page - 1) * f.per_page
    counts = dict(zip(todo, values[len(values) - len(todo):]))
    if views:
        counts = {view: counts[view] if view in counts else min(total, COUNT_CAP + 1) for view in views}
    if offset >= total:
        return Page(rows=[], total=total, page=f.page, per_page=f.per_page, counts=counts)
    rows = []
    today = now.date()
    for task in connection.execute(query, {**params, **_windows(sizes, offset, f.per_page)}):
        state = due_state(task.due_at, now, threshold)
        rows.append(Row(
            id=task.id, instance_id=task.instance_id, title=task.title or task.name, number=task.business_key,
            step=task.name, process=task.process_name or task.process_key, created_at=task.created_at,
            due_at=task.due_at, due_state=state, days_left=workdays.working_days_left(task.due_at, today)
            if task.due_at else None, due_pending=bool(task.due_pending), is_key=bool(task.is_key), proposer=task.proposer or "",
            claimed_by_id=task.claimed_by_id, claimed_by=task.claimer or "", delegated_by_id=task.delegated_by_id,
            delegated_by=task.delegator or "", candidate_user=task.candidate_user, bpmn_id=task.bpmn_id,
            can_act=may_act(user, task),
            can_claim=eligible(user, task) and task.claimed_by_id is None and not task.candidate_user))
    return Page(rows=rows, total=total, page=f.page, per_page=f.per_page, counts=counts)


def list_done(session: Session, user: User, f: Filters) -> Page:
    """已办: the steps this person completed, newest first, from the audit log."""
    conditions = [Event.actor_id == user.id, Event.kind == "complete"]
    if f.process:
        conditions.append(Instance.process_key == f.process)
    if f.key:
        conditions.append(Instance.is_key.is_(True))
    if f.q:
        conditions.append(_search(_like(f.q), Instance.title, Instance.business_key))

    def joins(query):
        return (query.join(Instance, Instance.id == Event.instance_id)
                .outerjoin(_starter, _starter.id == Instance.started_by_id))

    total = session.scalar(joins(select(func.count()).select_from(Event)).where(*conditions)) or 0
    order = {"title": Instance.title, "number": Instance.business_key}.get(f.sort)
    ordering = [order.desc() if f.desc else order] if order is not None else []
    query = (joins(select(Event.id, Event.task_id, Event.task_name, Event.bpmn_id, Event.at, Event.instance_id,
                          Instance.title, Instance.business_key, ProcessVersion.name, Instance.is_key, _starter.name))
             .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
             .where(*conditions).order_by(*ordering, Event.at.desc(), Event.id.desc())
             .offset((f.page - 1) * f.per_page).limit(f.per_page))
    rows = [Row(id=r.task_id or "", instance_id=r.instance_id, title=r.title, number=r.business_key,
                step=r.task_name or "", process=r[8], created_at=None, due_at=None, is_key=bool(r.is_key),
                proposer=r[10] or "", bpmn_id=r.bpmn_id or "", completed_at=r.at)
            for r in session.execute(query)]
    return Page(rows=rows, total=total, page=f.page, per_page=f.per_page)


def list_for(session: Session, user: User, f: Filters, *, soon_days: int | None = None) -> Page:
    """A page of the view with the tab counts."""
    if f.view != "done":
        return list_open(session, user, f, soon_days=soon_days, tabs=True)
    page = list_done(session, user, f)
    page.counts = counts(session, user)
    return page


def _tab_views(user: User) -> tuple[str, ...]:
    return ("all", "mine", "claimable", "delegated") + (("scope",) if may_supervise(user) else ())


def counts(session: Session, user: User) -> dict[str, int]:
    """How many tasks each open view holds (for the tabs), in one query: each counted up to COUNT_CAP + 1 only, so
    a tab costs at most that many index entries however much work is open."""
    views = _tab_views(user)
    query = select(*_tab_counts(len(user.role_keys), user.unit is not None, views))
    return dict(zip(views, session.connection().execute(query, _params(user)).one()))


_PROCESSES = select(ProcessVersion.process_key, ProcessVersion.name).order_by(ProcessVersion.version)


def processes(session: Session) -> list[tuple[str, str]]:
    """(process key, latest name) for the procedure filter."""
    rows = session.connection().execute(_PROCESSES)
    return sorted({key: name for key, name in rows}.items())
