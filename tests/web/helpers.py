"""Driving the proposal process through HTTP, as the pages would."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.worklist import inbox
from engine.models import Instance, OpenTask, User

SUBMIT = {"title": "关于加快城区老旧小区改造的建议", "category": "社会", "content": "城区老旧小区管网老化，居民反映强烈。",
          "suggestion": "一、摸清底数；二、分年度实施；三、引入社会资本。"}
REVIEW = {"decision": "立案", "is_key": "true", "lead_leader": "lingdao", "oversight_leader": "zhuxi"}
ASSIGN = {"lead_unit": "czj", "assign_note": "请财政局主办"}
ACCEPT = {"accept_decision": "签收"}
REPLY_A = {"contact_method": "面对面", "contact_date": "2026-03-20", "result_class": "A",
           "meeting_attendees": "县财政局张科长、提案人张明", "reply_text": "已列入本年度改造计划。", "agree_publish": "true"}
SIGN = {"sign_decision": "签发"}
OVERSEE = {"oversight_decision": "同意"}  # the 督办 leader of a key proposal lets the reply go to the proposer
SATISFIED = {"satisfaction_work": "满意", "satisfaction": "满意"}
ARCHIVE = {"publish_proposal": "true", "publish_reply": "true", "archive_note": "同意公开"}


def scalar(db, query):
    """One value read outside a request, ending the transaction at once."""
    value = db.scalar(query)
    db.rollback()
    return value


def text(response) -> str:
    """The page without tags and with collapsed whitespace, for `in` assertions."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def submit(auth, client, username: str = "member1", **extra) -> int:
    auth.as_(username)
    response = client.post("/proposals/new", data={**SUBMIT, **extra})
    assert response.status_code == 302, text(response)
    return int(response.location.rsplit("/", 1)[1])


def task_id(db, username: str, instance_id: int, bpmn_id: str) -> str:
    user = db.scalars(select(User).where(User.username == username)).one()
    mine = [t.id for t in inbox.tasks_for(db, user) if t.instance_id == instance_id and t.bpmn_id == bpmn_id]
    db.rollback()  # end the read: SQLite transactions here take the write lock (BEGIN IMMEDIATE)
    assert len(mine) == 1, f"{username} should have one {bpmn_id}, has {len(mine)}"
    return mine[0]


def do(auth, client, db, username: str, instance_id: int, bpmn_id: str, data: dict) -> None:
    tid = task_id(db, username, instance_id, bpmn_id)
    auth.as_(username)
    response = client.post(f"/tasks/{tid}", data=data)
    assert response.status_code == 302, text(response)


def open_steps(db, instance_id: int) -> list[str]:
    steps = sorted(db.scalars(select(OpenTask.bpmn_id).where(OpenTask.instance_id == instance_id)))
    db.rollback()
    return steps


def instance_count(db) -> int:
    count = db.scalar(select(func.count()).select_from(Instance))
    db.rollback()
    return count


def to_accept(auth, client, db, username: str = "member1") -> int:
    instance_id = submit(auth, client, username)
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    do(auth, client, db, "office1", instance_id, "assign", ASSIGN)
    return instance_id
