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


# ------------------------------------------------------------------ who may act on an inbox row (no database)

def _user(username="u1", roles=("clerk",), unit=None, id=1):
    from types import SimpleNamespace
    return SimpleNamespace(id=id, username=username, unit=SimpleNamespace(code=unit) if unit else None,
                           has_role=lambda key: key in roles)


def _row(role_key="clerk", candidate_user=None, candidate_unit=None, claimed_by_id=None):
    from types import SimpleNamespace
    return SimpleNamespace(role_key=role_key, candidate_user=candidate_user, candidate_unit=candidate_unit,
                           claimed_by_id=claimed_by_id)


def test_task_rule_the_lane_role_the_named_person_and_the_named_unit_decide():
    from engine.runtime import tasks

    assert tasks.eligible(_user(), _row())
    assert not tasks.eligible(_user(), _row(role_key=None))
    assert not tasks.eligible(_user(roles=("member",)), _row())
    assert tasks.eligible(_user(), _row(candidate_user="u1"))
    assert not tasks.eligible(_user(), _row(candidate_user="u2"))
    assert tasks.eligible(_user(unit="dw01"), _row(candidate_unit="dw01"))
    assert not tasks.eligible(_user(unit="dw02"), _row(candidate_unit="dw01"))
    assert not tasks.eligible(_user(), _row(candidate_unit="dw01"))  # no unit at all
    assert tasks.eligible(_user(unit="dw01"), _row(candidate_user="u1", candidate_unit="dw01"))
    assert not tasks.eligible(_user(unit="dw02"), _row(candidate_user="u1", candidate_unit="dw01"))


def test_task_rule_a_claim_by_someone_else_stops_the_others():
    from engine.runtime import tasks

    assert tasks.may_act(_user(id=1), _row(claimed_by_id=None))
    assert tasks.may_act(_user(id=1), _row(claimed_by_id=1))
    assert not tasks.may_act(_user(id=1), _row(claimed_by_id=2))
    assert not tasks.may_act(_user(id=1, roles=()), _row(claimed_by_id=1))


def _task(props=None, data=None, extensions=True, name="审查", lane="办公室"):
    import uuid
    from types import SimpleNamespace
    ext = {"properties": props or {}, "instructionsForEndUser": "请审查"} if extensions else None
    spec = SimpleNamespace(extensions=ext, bpmn_name=name, bpmn_id="review", lane=lane)
    return SimpleNamespace(id=uuid.UUID(int=9), task_spec=spec, data=data or {})


def test_task_rule_due_dates_from_an_expression_or_working_days():
    from engine.calendar import workdays
    from engine.runtime import tasks

    clock.set_now(MONDAY)
    assert tasks.due_at(_task()) is None and tasks.due_at(_task(extensions=False)) is None
    assert tasks.due_at(_task({"dueDate": "deadline"}, {"deadline": "2026-03-05T10:00:00"})) == workdays.parse(
        "2026-03-05T10:00:00")
    assert tasks.due_at(_task({"dueDate": "deadline"}, {"deadline": ""})) is None
    assert tasks.due_at(_task({"dueWorkingDays": " 2 "})) == workdays.count_working_days(MONDAY, 2)
    assert tasks.due_at(_task({"dueWorkingDays": "两天"})) is None
    workdays.drain()
    tasks.due_at(_task({"dueWorkingDays": "1"}))
    assert [c.task for c in workdays.drain()] == [str(_task().id)]


def test_task_rule_a_failing_expression_is_a_process_fault_naming_the_step():
    from engine.errors import ScriptRefused
    from engine.runtime import tasks

    with pytest.raises(tasks.ProcessFault) as fault:
        tasks.due_at(_task({"dueDate": "missing + 1"}))
    assert str(fault.value) == ("步骤“审查”的表达式 missing + 1 无法计算（name 'missing' is not defined）。"
                                "请联系流程管理员。")
    assert fault.value.status == 500
    with pytest.raises(ScriptRefused):
        tasks.due_at(_task({"dueDate": "x.y"}))


def test_task_rule_the_inbox_row_carries_the_step_the_candidates_and_the_form():
    from types import SimpleNamespace

    from engine.runtime import tasks

    clock.set_now(MONDAY)
    instance = SimpleNamespace(id=4, title="关于甲的提案", business_key="P-1")
    version = SimpleNamespace(process_key="proposal", name="提案办理", lane_roles={"办公室": "clerk"})
    task = _task({"candidateUser": "who", "candidateUnit": "unit", "formJsonSchemaFilename": "f.json",
                  "dueWorkingDays": "1"}, {"who": "zhang", "unit": 12})
    row = tasks.open_task_row(task, instance, version)
    assert row == {
        "id": str(task.id), "instance_id": 4, "process_key": "proposal", "process_name": "提案办理",
        "bpmn_id": "review", "name": "审查", "lane": "办公室", "role_key": "clerk", "candidate_user": "zhang",
        "candidate_unit": "12", "form_path": "f.json", "instructions": "请审查", "title": "关于甲的提案",
        "business_key": "P-1", "created_at": MONDAY, "due_at": tasks.due_at(task)}
    bare = tasks.open_task_row(_task({"candidateUser": "who"}, {"who": ""}, name=None, lane=None), instance, version)
    assert (bare["name"], bare["role_key"], bare["candidate_user"], bare["candidate_unit"], bare["form_path"],
            bare["due_at"]) == ("review", None, None, None, None, None)
    no_ext = tasks.open_task_row(_task(extensions=False, lane="其他"), instance, version)
    assert no_ext["instructions"] is None and no_ext["role_key"] is None
