"""The engine API as a caller uses it: one session and one transaction per verb, committed once."""
from __future__ import annotations

import time

from sqlalchemy import select

from engine import db as engine_db
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.models import Instance, OpenTask

from . import fixtures
from .fixtures import Counter, Database
from .stats import Sample

REPLY_A = {"contact_method": "面对面", "contact_date": "2026-03-20", "result_class": "A",
           "meeting_attendees": "县财政局张科长、提案人张明", "reply_text": "已列入本年度改造计划，首批 12 个小区已开工。", "agree_publish": True}
# The proposal procedure's main path with one cosigner and one co-handling unit: (who, step, form data).
PATH = [
    ("member2", "cosign", {"cosign_agree": True}),
    ("tiwei", "review", fixtures.REVIEW),
    ("office1", "assign", {"lead_unit": "czj", "co_units": ["fgw"], "assign_note": "请财政局主办，发改委会办"}),
    ("czj_clerk", "accept", {"accept_decision": "签收"}),
    ("fgw_clerk", "co_opinion", {"co_opinion": "发改委可安排专项资金。"}),
    ("lingdao", "lead_meeting", {"lead_meeting_date": "2026-03-10", "lead_meeting_units": ["czj", "fgw"],
                                 "lead_meeting_note": "明确资金来源。"}),
    ("czj_clerk", "handle", REPLY_A),
    ("czj_leader", "sign_off", {"sign_decision": "签发"}),
    ("zhuxi", "oversight_review", {"oversight_decision": "同意"}),
    ("member1", "satisfaction", {"satisfaction_work": "满意", "satisfaction": "满意"}),
    ("office1", "archive", {"publish_proposal": True, "publish_reply": True, "archive_note": "同意公开"}),
]
STEP_NAMES = {"start": "提交提案", "cosign": "联名确认", "review": "审查立案", "assign": "交办", "accept": "签收",
              "co_opinion": "会办意见", "handle": "办理答复", "sign_off": "单位负责人签发",
              "lead_meeting": "领办会", "oversight_review": "督办领导审核", "satisfaction": "满意度评价", "archive": "归档公开"}


def complete(database: Database, task_ids: list[str], username: str = "tiwei", data: dict | None = None,
             between=None) -> dict:
    """Time, statements and commits of each completion (one transaction each)."""
    with database.session() as session:
        actor = fixtures.user(session, username)
    counter = Counter(database.engine)
    times, statements, commits = [], [], []
    for task_id in task_ids:
        counter.reset()
        t0 = time.perf_counter()
        with database.session() as session, engine_db.writing():
            runtime.complete_task(session, actor, task_id, data or fixtures.REVIEW)
            session.commit()
        times.append((time.perf_counter() - t0) * 1000)
        s, c = counter.read()
        statements.append(s)
        commits.append(c)
        if between is not None:
            between()
    return {"time": Sample(times), "statements": Sample(statements, "count"), "commits": Sample(commits, "count")}


def start(database: Database, n: int, username: str = "member1", between=None) -> dict:
    with database.session() as session:
        actor = fixtures.user(session, username)
    counter = Counter(database.engine)
    times, statements, commits, ids = [], [], [], []
    for _ in range(n):
        counter.reset()
        t0 = time.perf_counter()
        with database.session() as session, engine_db.writing():
            instance = runtime.start_instance(session, actor, "proposal", fixtures.SUBMIT)
            session.commit()
        times.append((time.perf_counter() - t0) * 1000)
        ids.append(instance.id)
        s, c = counter.read()
        statements.append(s)
        commits.append(c)
        if between is not None:
            between()
    return {"time": Sample(times), "statements": Sample(statements, "count"), "commits": Sample(commits, "count"),
            "ids": ids}


def walk(database: Database, walks: int) -> list[dict]:
    """Drive `walks` proposals along PATH; per step: saved state size, statements, commits and time."""
    with database.session() as session:
        people = {name: fixtures.user(session, name) for name in {"member1", *(who for who, _s, _d in PATH)}}
    counter = Counter(database.engine)
    steps: list[dict] = [{"step": "start", "size": [], "time": [], "statements": [], "commits": []}]
    steps += [{"step": step, "size": [], "time": [], "statements": [], "commits": []} for _w, step, _d in PATH]

    def size(session, instance_id: int) -> float:
        state = session.scalar(select(Instance.state).where(Instance.id == instance_id))
        return len(state.encode("utf-8")) / 1024

    for _ in range(walks):
        counter.reset()
        t0 = time.perf_counter()
        with database.session() as session, engine_db.writing():
            instance_id = runtime.start_instance(session, people["member1"], "proposal",
                                                 {**fixtures.SUBMIT, "cosigners": ["member2"]}).id
            session.commit()
        _record(steps[0], t0, counter)
        with database.session() as session:
            steps[0]["size"].append(size(session, instance_id))
        for record, (who, step, data) in zip(steps[1:], PATH):
            with database.session() as session:
                mine = [t.id for t in inbox.tasks_for(session, people[who])
                        if t.instance_id == instance_id and t.bpmn_id == step]
            assert len(mine) == 1, f"{who} should have one {step} on instance {instance_id}, has {len(mine)}"
            counter.reset()
            t0 = time.perf_counter()
            with database.session() as session, engine_db.writing():
                runtime.complete_task(session, people[who], mine[0], data)
                session.commit()
            _record(record, t0, counter)
            with database.session() as session:
                record["size"].append(size(session, instance_id))
        with database.session() as session:
            left = session.scalars(select(OpenTask.bpmn_id).where(OpenTask.instance_id == instance_id)).all()
            status = session.scalar(select(Instance.status).where(Instance.id == instance_id))
        assert status == "completed" and not left, f"walk ended {status} with open {left}"
    return steps


def _record(record: dict, t0: float, counter: Counter) -> None:
    record["time"].append((time.perf_counter() - t0) * 1000)
    s, c = counter.read()
    record["statements"].append(s)
    record["commits"].append(c)
