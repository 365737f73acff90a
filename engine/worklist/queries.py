"""A worklist view in SQL: its filters, and the statements that read it as disjoint ranges of the worklist index
(ix_open_tasks_worklist) in the page's order, only as far as the page reaches. engine/worklist/pages.py runs them and
turns the rows into a page."""
from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass, fields
from typing import Any, Mapping

from sqlalchemy import Integer, and_, bindparam, false, func, literal_column, or_, select, true, union_all
from sqlalchemy.orm import aliased

from engine.people import permissions
from engine.errors import Forbidden
from engine.worklist.inbox import eligible_clause, visible_clause
from engine.models import Instance, OpenTask, User
from engine.i18n import N_

VIEWS = ("all", "mine", "claimable", "delegated", "done", "scope")
SORTS = ("due", "created", "title", "number")
DUE_STATES = ("overdue", "soon", "ok", "none")
STATUSES = ("unclaimed", "claimed", "delegated")
PER_PAGE, MAX_PER_PAGE = 20, 100
COUNT_CAP = 1000  # a tab counts up to this many tasks, then shows “1000+”


def may_supervise(user: User) -> bool:
    return permissions.can(user, "worklist.scope")  # see every open task in their scope


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
        return {k: getattr(self, k) for k, _default in _FILTER_DEFAULTS if k not in ("page", "per_page")}

    def args(self, **changes) -> dict[str, Any]:
        """Query-string values that differ from the defaults (for links), with `changes` applied (a page links
        every tab, page and sort with these: plain attribute reads, no `asdict`)."""
        values = ((k, changes[k] if k in changes else getattr(self, k), default) for k, default in _FILTER_DEFAULTS)
        return {k: (1 if v is True else v) for k, v, default in values if v != default}


_FILTER_DEFAULTS = tuple((f.name, f.default) for f in fields(Filters))


_starter, _claimer, _delegator = aliased(User), aliased(User), aliased(User)


def _view_clause(user: User, view: str):
    """A view as one SQL condition: what the ranges of `_arms` add up to (kept as the plain statement of each view;
    delegated and scope are listed with it)."""
    if view == "all":
        return visible_clause(user)
    if view == "mine":
        return and_(visible_clause(user), or_(OpenTask.claimed_by_id == user.id, OpenTask.candidate_user == user.username))
    if view == "claimable":
        return and_(eligible_clause(user), OpenTask.claimed_by_id.is_(None), OpenTask.candidate_user.is_(None))
    if view == "delegated":
        return OpenTask.delegated_by_id == user.id
    if view == "scope":
        _may_see_scope(user)
        return true()
    return false()


def _may_see_scope(user: User) -> None:
    if not may_supervise(user):
        raise Forbidden(N_("只有政协办公室和督办人员可以查看全部在办事项。"))


# A range of ix_open_tasks_worklist: (index of the role among the user's sorted roles, candidate unit is the user's
# unit (else NULL), candidate user is the user (else NULL), claimed by the user (else NULL)).
Arm = tuple[int, bool, bool, bool]


def _arms(roles: int, has_unit: bool, view: str, status: str = "") -> list[Arm] | None:
    """The view as disjoint ranges of ix_open_tasks_worklist (role, candidate unit, candidate user, claimer), one
    equality on each column: each range is read in the page's order only as far as the page reaches, and counted
    from the index alone, where `role IN (…) AND (candidate_unit IS NULL OR …)` walks every task of the role. Their
    union is `_view_clause`. None: the view is a condition of its own (delegated, scope, done). The status filters
    unclaimed/claimed drop the ranges whose claimer they exclude."""
    if view not in ("all", "mine", "claimable"):
        return None
    claimers = {"unclaimed": [False], "claimed": [True]}.get(status, [False, True])
    arms: list[Arm] = []
    for role in range(roles):
        for unit in ([False, True] if has_unit else [False]):
            for person in (False, True):
                for claimer in claimers:
                    if view == "mine" and not (claimer or person):
                        continue  # mine: claimed by me, or named for me (then unclaimed or mine)
                    if view == "claimable" and (claimer or person):
                        continue
                    arms.append((role, unit, person, claimer))
    return arms


def _arm_clause(arm: Arm):
    role, unit, person, claimer = arm
    return and_(OpenTask.role_key == bindparam(f"role{role}"),
                OpenTask.candidate_unit == bindparam("unit") if unit else OpenTask.candidate_unit.is_(None),
                OpenTask.candidate_user == bindparam("username") if person else OpenTask.candidate_user.is_(None),
                OpenTask.claimed_by_id == bindparam("me") if claimer else OpenTask.claimed_by_id.is_(None))


def _due_clause(due: str, now, threshold):
    return {
        "overdue": OpenTask.due_at < now,
        "soon": and_(OpenTask.due_at >= now, OpenTask.due_at <= threshold),
        "ok": OpenTask.due_at > threshold,
        "none": OpenTask.due_at.is_(None),
    }.get(due, true())


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(pattern, title, number):
    """`pattern`: a LIKE pattern from `_like`, or a bound parameter holding one."""
    return or_(title.ilike(pattern, escape="\\"), number.ilike(pattern, escape="\\"),
               _starter.name.ilike(pattern, escape="\\"))


def _filter_conditions(f: Filters) -> list:
    """The filters' conditions, with their values as bound parameters (process, now, threshold, q)."""
    conditions = []
    if f.process:
        conditions.append(OpenTask.process_key == bindparam("process"))
    if f.status == "unclaimed":
        conditions.append(OpenTask.claimed_by_id.is_(None))
    elif f.status == "claimed":
        conditions.append(and_(OpenTask.claimed_by_id.is_not(None), OpenTask.delegated_by_id.is_(None)))
    elif f.status == "delegated":
        conditions.append(OpenTask.delegated_by_id.is_not(None))
    if f.due:
        conditions.append(_due_clause(f.due, bindparam("now"), bindparam("threshold")))
    if f.key:
        conditions.append(Instance.is_key.is_(True))
    if f.q:
        conditions.append(_search(bindparam("q"), OpenTask.title, OpenTask.business_key))
    return conditions


def _open_joins(query):
    return (query.join(Instance, Instance.id == OpenTask.instance_id)
            .outerjoin(_starter, _starter.id == Instance.started_by_id))


def _filter_joins(query, f: Filters):
    """Only the joins a filter reads: the instance for 重点, its starter's name for a search (every open task has its
    instance, so neither changes which tasks or how many)."""
    if f.q or f.key:
        query = query.join(Instance, Instance.id == OpenTask.instance_id)
    if f.q:
        query = query.outerjoin(_starter, _starter.id == Instance.started_by_id)
    return query


def _selects(roles: int, has_unit: bool, f: Filters, *extra) -> list:
    """SELECT open_tasks.id per range of the view (see `_arms`), with the filters and `extra` conditions: together,
    without overlap, the view's tasks that pass them. Values are bound parameters (`_params`)."""
    filters = [*_filter_conditions(f), *extra]
    arms = _arms(roles, has_unit, f.view, f.status)
    if arms is None:
        view = {"delegated": [OpenTask.delegated_by_id == bindparam("me")], "scope": []}.get(f.view, [false()])
        wheres = [[*view, *filters]]
    else:
        wheres = [[_arm_clause(arm), *filters] for arm in arms]
    return [_filter_joins(select(OpenTask.id).select_from(OpenTask), f).where(*where) for where in wheres]


def _params(user: User, f: Filters | None = None, now: dt.datetime | None = None,
            threshold: dt.datetime | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {f"role{n}": role for n, role in enumerate(sorted(user.role_keys))}
    params.update(unit=user.unit.code if user.unit else None, username=user.username, me=user.id)
    if f is not None:
        params.update(process=f.process, now=now, threshold=threshold, q=_like(f.q))
    return params


def _order_keys(f: Filters) -> list:
    """(expression, descending) pairs, the last ones making the order total. By due date: dated tasks first."""
    first = {"due": [(OpenTask.due_at.is_(None), False), (OpenTask.due_at, f.desc)],
             "created": [(OpenTask.created_at, f.desc)], "title": [(OpenTask.title, f.desc)],
             "number": [(OpenTask.business_key, f.desc)]}[f.sort]
    return [*first, (OpenTask.created_at, False), (OpenTask.id, False)]


def _open_order(f: Filters) -> list:
    return [key.desc() if desc else key for key, desc in _order_keys(f)]


def _parts(roles: int, has_unit: bool, f: Filters) -> tuple[list, list[tuple[list, list]]]:
    """(counts, parts): the view's tasks in the page order as consecutive parts, each (selects, order keys) that the
    index reads in that order, and what the sizes of the parts are computed from (`_sizes`). By due date: the dated
    tasks (by due date), then the undated ones (by arrival; `due_at` is NULL in all of them, it only keeps the index
    order usable) — so `due_at IS NULL, due_at, …` needs no index on an expression."""
    keys, selects = _order_keys(f), _selects(roles, has_unit, f)
    undated_keys = [(OpenTask.due_at, False), *keys[2:]]
    if f.sort != "due":
        return [_count(selects)], [(selects, keys)]
    if f.due == "none":
        return [_count(selects)], [(selects, undated_keys)]
    if f.due:  # overdue, soon, ok: dated only
        return [_count(selects)], [(selects, keys[1:])]
    undated = _selects(roles, has_unit, f, OpenTask.due_at.is_(None))
    return ([_count(selects), _count(undated)],  # all, undated
            [(_selects(roles, has_unit, f, OpenTask.due_at.is_not(None)), keys[1:]), (undated, undated_keys)])


def _sizes(counts) -> list[int]:
    counts = [n or 0 for n in counts]
    return counts if len(counts) == 1 else [counts[0] - counts[1], counts[1]]


def _count(selects: list, cap: int | None = None):
    """How many rows `selects` give together: exactly (a sum of counts, each over one index range), or up to
    `cap` + 1 (rows read until then)."""
    if not selects:
        return literal_column("0")
    if cap is None:
        counts = [s.with_only_columns(func.count(), maintain_column_froms=True).scalar_subquery() for s in selects]
        return functools.reduce(operator.add, counts)
    rows = union_all(*selects) if len(selects) > 1 else selects[0]
    return select(func.count()).select_from(rows.limit(cap + 1).subquery()).scalar_subquery()


_RANGE = (OpenTask.role_key, OpenTask.candidate_unit, OpenTask.candidate_user, OpenTask.claimed_by_id)


def _part_ids(n: int, selects: list, keys: list, ranges: bool):
    """Part `n`'s ids from row `offset{n}` on, `limit{n}` of them. With `ranges` (one select per range of
    ix_open_tasks_worklist), each range gives its first `reach{n}` (= offset + limit) rows in the order of the index
    — the range's own columns first, constant in it, so that PostgreSQL sees the index order too — and only those are
    sorted together: a page reads the rows up to its end, none of them joined."""
    offset, limit = bindparam(f"offset{n}", type_=Integer), bindparam(f"limit{n}", type_=Integer)
    order = [key.desc() if desc else key for key, desc in keys]
    if len(selects) == 1 and not ranges:
        return select(selects[0].order_by(*order).offset(offset).limit(limit).subquery().c.id)
    labelled = [key.label(f"k{i}") for i, (key, _desc) in enumerate(keys)]
    reach = bindparam(f"reach{n}", type_=Integer)
    firsts = [s.add_columns(*labelled).order_by(*_RANGE, *order).limit(reach).subquery() for s in selects]
    rows = union_all(*(select(*first.c) for first in firsts)) if len(firsts) > 1 else select(*firsts[0].c)
    merged = [rows.selected_columns[f"k{i}"].desc() if desc else rows.selected_columns[f"k{i}"]
              for i, (_key, desc) in enumerate(keys)]
    return select(rows.order_by(*merged).offset(offset).limit(limit).subquery().c.id)


_ROW_COLUMNS = list(OpenTask.__table__.c)


@functools.lru_cache(maxsize=512)
def _open_statements(roles: int, has_unit: bool, shape: tuple, tabs: tuple[str, ...] = ()):
    """(count, page) statements for a shape of user and filters (`_shape`), built and cache-keyed once and run with
    `_params`: the count gives each part's size (and the capped counts of the `tabs`), the page reads from each part
    the rows the page takes."""
    f = Filters(**dict(shape))
    counts, parts = _parts(roles, has_unit, f)
    count = select(*counts, *_tab_counts(roles, has_unit, tabs))
    ranges = _arms(roles, has_unit, f.view, f.status) is not None
    ids = [_part_ids(n, selects, keys, ranges) for n, (selects, keys) in enumerate(parts) if selects]
    page = (_open_joins(select(*_ROW_COLUMNS, Instance.is_key, _starter.name.label("proposer"),
                               _claimer.name.label("claimer"), _delegator.name.label("delegator")))
            .outerjoin(_claimer, _claimer.id == OpenTask.claimed_by_id)
            .outerjoin(_delegator, _delegator.id == OpenTask.delegated_by_id)
            .where(OpenTask.id.in_(union_all(*ids)) if len(ids) > 1 else OpenTask.id.in_(ids[0]) if ids else false())
            .order_by(*_open_order(f)))
    return count, page


def _shape(f: Filters) -> tuple:
    """The filters without the values that are bound parameters (the page, the process, the search)."""
    return (("view", f.view), ("process", "1" if f.process else ""), ("status", f.status), ("due", f.due),
            ("key", f.key), ("q", "1" if f.q else ""), ("sort", f.sort), ("desc", f.desc))


def _windows(sizes: list[int], offset: int, limit: int) -> dict[str, int]:
    """offset{n}/limit{n} of each part for the rows offset … offset + limit of the parts one after another."""
    params, start = {}, 0
    for n, size in enumerate(sizes):
        low, high = max(offset - start, 0), min(offset + limit - start, size)
        params[f"offset{n}"], params[f"limit{n}"] = (low, high - low) if high > low else (0, 0)
        params[f"reach{n}"] = high if high > low else 0
        start += size
    return params


@functools.lru_cache(maxsize=256)
def _tab_counts(roles: int, has_unit: bool, views: tuple[str, ...]) -> tuple:
    return tuple(_count(_selects(roles, has_unit, Filters(view=view)), COUNT_CAP) for view in views)
