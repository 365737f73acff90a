"""The worklist reads each view as disjoint index ranges merged in page order, counts the tabs only up to 1000+, and
counts a page's total without joins. Here it must give exactly what the plain statement of each view gives (one
SELECT with the joins, `_view_clause` and ORDER BY … OFFSET … LIMIT), and the tasks `tasks.eligible`/`may_act` say,
for every view, filter, sort and page, on a few hundred tasks with every mix of role, candidate unit and user, claim,
delegation, due date and ties."""
from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
from sqlalchemy import func, select, update

from engine import clock
from engine.worklist import pages as worklist, queries as worklist_sql
from engine.errors import Forbidden
from engine.models import Instance, OpenTask, User
from engine.settings import DEFAULT_SOON_DAYS
from engine.runtime.tasks import eligible, may_act
from engine.worklist.pages import COUNT_CAP, Filters

from .flow import MONDAY, Flow

PEOPLE = ("office1", "office2", "czj_clerk", "czj_clerk2", "member1", "duban", "admin")


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


def person(flow: Flow, username: str) -> User:
    return flow.user(username)


def scatter(flow: Flow, count: int, seed: int = 7) -> None:
    """`count` open tasks over a few instances, with every combination the views and filters tell apart."""
    rng = random.Random(seed)
    instances = [flow.submit(f"member{n}", title=f"第{n}件关于Road建议") for n in (1, 2, 3)]
    flow.session.execute(update(Instance).where(Instance.id == instances[0].id).values(is_key=True))
    ids = {name: person(flow, name).id for name in PEOPLE}
    roles = ["office", "department", "member", "supervisor", "admin", "process_owner", "proposal_committee"]
    stamps = [MONDAY + dt.timedelta(days=d, hours=h) for d in (-20, -3, 0, 2, 9) for h in (0, 5)]
    rows = []
    for n in range(count):
        claimer = rng.choice([None, None, None, *ids.values()])
        rows.append(OpenTask(
            id=str(uuid.UUID(int=rng.getrandbits(128))), instance_id=rng.choice(instances).id,
            process_key=rng.choice(["proposal", "proposal", "consultation"]), process_name="提案办理",
            bpmn_id="step", name="步骤", role_key=rng.choice(roles),
            candidate_unit=rng.choice([None, None, "czj", "zxb", "dcs", "fgw"]),
            candidate_user=rng.choice([None, None, None, "member1", "czj_clerk", "office1", "admin"]),
            title=rng.choice(["关于Road改造", "关于老旧小区", "road 50%_off"]), business_key=f"2026-{n % 40:03d}",
            created_at=rng.choice(stamps[:4]), due_at=rng.choice([None, *stamps]), claimed_by_id=claimer,
            delegated_by_id=rng.choice([None, None, *ids.values()]) if claimer else None))
    flow.session.add_all(rows)
    flow.session.commit()


def plain(flow: Flow, user: User, f: Filters, now, threshold) -> tuple[list[str], int]:
    """The page and total as one statement over the joins would give them (the worklist before the ranges)."""
    query = worklist_sql._open_joins(select(OpenTask.id).select_from(OpenTask)).where(
        worklist_sql._view_clause(user, f.view), *worklist_sql._filter_conditions(f))
    params = {"process": f.process, "now": now, "threshold": threshold, "q": worklist_sql._like(f.q)}
    total = flow.session.scalar(query.with_only_columns(func.count(), maintain_column_froms=True), params)
    page = query.order_by(*worklist_sql._open_order(f)).offset((f.page - 1) * f.per_page).limit(f.per_page)
    return list(flow.session.scalars(page, params)), total


def belongs(user: User, f: Filters, row: OpenTask, keys: set[int], now, threshold) -> bool:
    """The view and the filters in Python, from the rules in engine/runtime/tasks.py (`keys`: the key cases, 重点)."""
    view = {"all": lambda: may_act(user, row),
            "mine": lambda: may_act(user, row) and (row.claimed_by_id == user.id
                                                    or row.candidate_user == user.username),
            "claimable": lambda: eligible(user, row) and row.claimed_by_id is None and not row.candidate_user,
            "delegated": lambda: row.delegated_by_id == user.id,
            "scope": lambda: True}[f.view]()
    status = {"": True, "unclaimed": row.claimed_by_id is None,
              "claimed": row.claimed_by_id is not None and row.delegated_by_id is None,
              "delegated": row.delegated_by_id is not None}[f.status]
    due = not f.due or worklist.due_state(row.due_at, now, threshold) == f.due
    return (view and status and due and (not f.key or row.instance_id in keys)
            and (not f.process or row.process_key == f.process))


FILTERS = [
    {}, {"per_page": 7, "page": 3}, {"per_page": 5, "page": 40}, {"desc": True, "per_page": 9},
    {"sort": "created", "per_page": 6, "page": 2}, {"sort": "title", "desc": True, "per_page": 8},
    {"sort": "number", "per_page": 10, "page": 2}, {"status": "unclaimed", "per_page": 6},
    {"status": "claimed"}, {"status": "delegated"}, {"due": "overdue", "per_page": 4, "page": 2},
    {"due": "soon"}, {"due": "ok", "desc": True}, {"due": "none", "per_page": 3, "page": 2},
    {"process": "consultation", "per_page": 5}, {"key": True, "per_page": 4}, {"q": "road"}, {"q": "50%_"},
    {"q": "王秀英", "per_page": 3}, {"key": True, "q": "road", "status": "unclaimed", "sort": "created"},
]


def test_every_view_filter_sort_and_page_is_the_plain_statement(flow):
    scatter(flow, 400)
    now = clock.now()
    threshold = worklist.soon_threshold(now, DEFAULT_SOON_DAYS)
    everything = list(flow.session.scalars(select(OpenTask)))
    keys = set(flow.session.scalars(select(Instance.id).where(Instance.is_key.is_(True))))
    seen = 0
    for username in PEOPLE:
        user = person(flow, username)
        for view in ("all", "mine", "claimable", "delegated", "scope"):
            for values in FILTERS:
                f = Filters(view=view, **values)
                if view == "scope" and not worklist.may_supervise(user):
                    with pytest.raises(Forbidden):
                        worklist.list_open(flow.session, user, f)
                    continue
                page = worklist.list_open(flow.session, user, f, soon_days=DEFAULT_SOON_DAYS)
                expected, total = plain(flow, user, f, now, threshold)
                assert ([r.id for r in page.rows], page.total) == (expected, total), (username, f)
                if not f.q:
                    wanted = {r.id for r in everything if belongs(user, f, r, keys, now, threshold)}
                    assert page.total == len(wanted), (username, f)
                    assert {r.id for r in page.rows} <= wanted
                seen += len(page.rows)
    assert seen > 2000  # the cases above list something, not just empty pages


def test_tab_counts_agree_with_the_views(flow):
    scatter(flow, 300, seed=11)
    for username in PEOPLE:
        user = person(flow, username)
        counts = worklist.counts(flow.session, user)
        assert list(counts) == ["all", "mine", "claimable", "delegated"] + (
            ["scope"] if worklist.may_supervise(user) else [])
        for view, n in counts.items():
            assert n == worklist.list_open(flow.session, user, Filters(view=view)).total, (username, view)
        filtered = worklist.list_for(flow.session, user, Filters(view="claimable", key=True))
        assert filtered.counts == counts  # the tabs count the views, not the filters


def test_tabs_count_up_to_1000_then_show_1000_plus(flow):
    office1 = person(flow, "office1")
    instance = flow.submit("member1")
    flow.session.add_all(OpenTask(id=str(uuid.uuid4()), instance_id=instance.id, process_key="proposal",
                                  bpmn_id="assign", name="交办", role_key="office", title=f"第{n}件",
                                  business_key=f"2026-{n:04d}", due_at=MONDAY + dt.timedelta(minutes=n))
                         for n in range(COUNT_CAP - 1))
    flow.session.add(OpenTask(id=str(uuid.uuid4()), instance_id=instance.id, process_key="proposal",
                              bpmn_id="assign", name="交办", role_key="office", claimed_by_id=office1.id))
    flow.session.commit()
    page = worklist.list_for(flow.session, office1, Filters())
    assert page.counts["all"] == page.total == COUNT_CAP and page.count_text("all") == "1000"
    assert (page.count_text("mine"), page.count_text("claimable"), page.count_text("delegated")) == ("1", "999", "0")

    flow.session.add_all(OpenTask(id=str(uuid.uuid4()), instance_id=instance.id, process_key="proposal",
                                  bpmn_id="assign", name="交办", role_key="office") for _ in range(5))
    flow.session.commit()
    page = worklist.list_for(flow.session, office1, Filters(per_page=100, page=11))
    assert page.total == COUNT_CAP + 5 and page.pages == 11 and len(page.rows) == 5  # the pager counts them all
    assert [r.due_at for r in page.rows] == [None] * 5  # undated last
    assert page.counts == {"all": COUNT_CAP + 1, "mine": 1, "claimable": COUNT_CAP + 1, "delegated": 0,
                           "scope": COUNT_CAP + 1}
    assert (page.count_text("all"), page.count_text("claimable"), page.count_text("scope")) == ("1000+",) * 3
    assert page.count_text("mine") == "1"
    filtered = worklist.list_for(flow.session, office1, Filters(due="none"))
    assert filtered.total == 6 and filtered.counts == page.counts  # five new and the claimed one
