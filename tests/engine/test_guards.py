"""Guards whose breaking a test must notice: a task no longer READY behind a left-over inbox row, a deactivated member
named in a form, a timer due exactly now, one broken instance among those a tick moves."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, update

from engine import clock
from engine.errors import Conflict, FormInvalid
from engine.models import Event, Instance, OpenTask, User
from engine.runtime import audit, verbs as runtime

from .flow import MONDAY, Flow


@pytest.fixture
def flow(deployed, users):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


def _snapshot(session, instance: Instance) -> tuple:
    session.expire_all()
    return (session.scalar(select(Instance.state).where(Instance.id == instance.id)),
            session.scalar(select(func.count()).select_from(Event).where(Event.instance_id == instance.id)),
            sorted(session.scalars(select(OpenTask.bpmn_id).where(OpenTask.instance_id == instance.id))))


def test_a_left_over_row_of_a_task_already_done_is_a_conflict_and_changes_nothing(flow):
    instance = flow.submit()
    [row] = flow.open(instance, "review")
    kept = {column.key: getattr(row, column.key) for column in OpenTask.__table__.columns}
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.session.execute(insert(OpenTask).values(**kept))  # the row of the finished step, as if a projection had left it behind
    flow.session.commit()
    before = _snapshot(flow.session, instance)
    with pytest.raises(Conflict) as refused:
        runtime.complete_task(flow.session, flow.user("tiwei"), kept["id"], {"decision": "不立案", "reason": "重复"})
    assert refused.value.message == "该任务已被他人办理或已关闭。"
    flow.session.rollback()
    assert _snapshot(flow.session, instance) == before
    assert runtime.instance_data(flow.session, instance)["decision"] == "立案"


def test_a_deactivated_member_cannot_be_named_as_a_cosigner(flow):
    flow.session.execute(update(User).where(User.username == "member2").values(active=False))
    flow.session.commit()
    with pytest.raises(FormInvalid) as refused:
        flow.submit(cosigners=["member2"])
    assert refused.value.errors == {"cosigners": "找不到委员：member2"}
    flow.session.rollback()
    assert flow.session.scalar(select(func.count()).select_from(Instance)) == 0
    flow.session.execute(update(User).where(User.username == "member2").values(active=True))
    flow.session.commit()
    assert flow.submit(cosigners=["member2"]).id  # the same form with an active member goes through


def test_a_timer_due_exactly_now_fires(flow):
    instance = flow.to_handling()
    due = flow.session.scalar(select(Instance.next_timer_at).where(Instance.id == instance.id))
    clock.set_now(due)
    assert runtime.fire_due_timers(flow.session) == 1
    flow.session.commit()
    assert flow.open_ids(instance) == ["handle", "remind"]


def test_a_timer_not_yet_due_waits(flow):
    instance = flow.to_handling()
    due = flow.session.scalar(select(Instance.next_timer_at).where(Instance.id == instance.id))
    clock.set_now(due - dt.timedelta(seconds=1))
    assert runtime.fire_due_timers(flow.session) == 0
    assert flow.open_ids(instance) == ["handle"]


def test_one_broken_instance_does_not_hold_up_the_others_and_is_marked(flow, caplog):
    broken, sound = flow.to_handling(), flow.to_handling()
    flow.session.execute(update(Instance).where(Instance.id == broken.id).values(state="{not a workflow"))
    flow.session.commit()
    due = flow.session.scalar(select(func.max(Instance.next_timer_at)))
    clock.set_now(due)
    assert runtime.fire_due_timers(flow.session) == 1
    flow.session.commit()
    flow.session.expire_all()
    assert flow.open_ids(sound) == ["handle", "remind"] and audit.verify(flow.session, sound.id)
    marked = flow.session.get(Instance, broken.id)
    assert marked.status == "error" and "自动推进" in marked.error
    assert any("timer of instance" in r.getMessage() and str(broken.id) in r.getMessage() for r in caplog.records)
    assert runtime.fire_due_timers(flow.session) == 0  # not picked up again at every tick
