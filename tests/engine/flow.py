"""Drive the shipped diagrams through the same engine calls the web uses, one commit per step."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine import clock
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.models import Instance, OpenTask, User
from engine.procedures.proposal.records import Proposal

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.TZ)  # an ordinary working week, far from holidays

SUBMIT = {"title": "关于加快城区老旧小区改造的建议", "category": "社会", "content": "城区老旧小区管网老化，居民反映强烈。",
          "suggestion": "一、摸清底数；二、分年度实施；三、引入社会资本。"}
ACCEPT = {"accept_decision": "签收"}
REPLY_A = {"contact_method": "面对面", "contact_date": "2026-03-20", "result_class": "A",
           "meeting_attendees": "县财政局张科长、提案人张明", "reply_text": "已列入本年度改造计划，首批 12 个小区已开工。", "agree_publish": True}
SIGN = {"sign_decision": "签发"}
LEADERS = {"lead_leader": "lingdao", "oversight_leader": "zhuxi"}  # a key proposal's 领办 and 督办 leaders
LEAD_MEETING = {"lead_meeting_date": "2026-03-10", "lead_meeting_units": ["czj"], "lead_meeting_proposer": True,
                "lead_meeting_note": "明确资金来源和改造时序。"}
OVERSEE = {"oversight_decision": "同意"}
SATISFIED = {"satisfaction_work": "满意", "satisfaction": "满意"}
ARCHIVE = {"publish_proposal": True, "publish_reply": True, "archive_note": "同意公开"}


def open_rows(session, instance: Instance, bpmn_id: str | None = None) -> list[OpenTask]:
    """The instance's inbox rows (of one step), oldest first."""
    rows = session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)
                           .order_by(OpenTask.created_at, OpenTask.id)).all()
    return [r for r in rows if bpmn_id is None or r.bpmn_id == bpmn_id]


def complete(session, user: User, instance: Instance, bpmn_id: str, data: dict) -> Instance:
    """`user` completes their one open `bpmn_id` of the instance, found through their inbox as the web finds it."""
    mine = [t for t in inbox.tasks_for(session, user) if t.instance_id == instance.id and t.bpmn_id == bpmn_id]
    assert len(mine) == 1, (f"{user.username} should have exactly one {bpmn_id}, has {len(mine)}: "
                            f"{sorted(r.bpmn_id for r in open_rows(session, instance))}")
    result = runtime.complete_task(session, user, mine[0].id, data)
    session.commit()
    return result


class Flow:
    def __init__(self, session, users):
        self.session, self.users = session, users

    def user(self, username: str) -> User:
        return getattr(self.users, username)

    def start(self, username: str, process_key: str, data: dict) -> Instance:
        instance = runtime.start_instance(self.session, self.user(username), process_key, data)
        self.session.commit()
        return instance

    def submit(self, username="member1", **extra) -> Instance:
        return self.start(username, "proposal", {**SUBMIT, **extra})

    def open(self, instance: Instance, bpmn_id: str | None = None) -> list[OpenTask]:
        return open_rows(self.session, instance, bpmn_id)

    def open_ids(self, instance: Instance) -> list[str]:
        return sorted(r.bpmn_id for r in self.open(instance))

    def task_of(self, username: str, instance: Instance, bpmn_id: str) -> OpenTask:
        mine = [t for t in inbox.tasks_for(self.session, self.user(username))
                if t.instance_id == instance.id and t.bpmn_id == bpmn_id]
        assert len(mine) == 1, f"{username} should have exactly one {bpmn_id}, has {len(mine)}"
        return mine[0]

    def do(self, username: str, instance: Instance, bpmn_id: str, data: dict) -> Instance:
        return complete(self.session, self.user(username), instance, bpmn_id, data)

    def data(self, instance: Instance) -> dict:
        return runtime.instance_data(self.session, instance)

    def proposal(self, instance: Instance) -> Proposal:
        self.session.expire_all()
        return self.session.scalars(select(Proposal).where(Proposal.instance_id == instance.id)).one()

    def to_handling(self, username="member1", lead="czj", co_units=(), **review) -> Instance:
        instance = self.submit(username)
        self.do("tiwei", instance, "review", {"decision": "立案", **review})
        self.do("office1", instance, "assign", {"lead_unit": lead, "co_units": list(co_units)})
        self.do(f"{lead}_clerk", instance, "accept", ACCEPT)
        return instance

    def tick(self, **delta) -> int:
        clock.advance(dt.timedelta(**delta))
        moved = runtime.fire_due_timers(self.session)
        self.session.commit()
        return moved
