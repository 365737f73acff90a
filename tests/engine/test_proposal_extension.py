"""同意延期: 督办 agreeing to extend an overdue reply moves the handling task's deadline, the proposal record's
reply_due and the due-date reminders, in the transaction of the completion; a date that is no extension is refused."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.definitions import deploy as definitions, working_copies as drafts, moving as migration
from engine.worklist import notifications, pages as worklist
from engine.runtime import verbs as runtime, schedule
from engine.errors import FormInvalid
from engine.models import Event, OpenTask
from engine.worklist.records import Notification, ReminderSent

from .flow import MONDAY, REPLY_A, SATISFIED, SIGN, Flow

OLD_DUE = dt.datetime(2026, 6, 2, 9, 0, tzinfo=clock.TZ)  # 3 months after the 交办 on MONDAY
NEW_DUE = dt.datetime(2026, 7, 15, 23, 59, 59, tzinfo=clock.TZ)  # the end of the day 督办 agreed to
EXTEND = {"remind_action": "同意延期", "extended_due": "2026-07-15", "remind_note": "涉及年度预算调整，同意延期"}


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    """versions are cached by database and row id; the migration test deploys a version whose id other databases reuse."""
    monkeypatch.setattr(definitions, "_VERSIONS", {})


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


def overdue(flow: Flow):
    """A proposal whose reply is past its deadline: 逾期督办 is open beside 办理答复 (now 2026-06-05)."""
    instance = flow.to_handling()
    flow.tick(days=95)
    assert flow.open_ids(instance) == ["handle", "remind"]
    return instance


def handle_row(flow: Flow, instance, bpmn_id: str = "handle") -> OpenTask:
    flow.session.expire_all()
    [row] = flow.open(instance, bpmn_id)
    return row


def reminders_for(flow: Flow, task_id: str) -> list[str]:
    """The reminder kinds the lead unit's clerk got about the task, oldest first."""
    return list(flow.session.scalars(select(Notification.kind).where(
        Notification.task_id == task_id, Notification.user_id == flow.user("czj_clerk").id,
        Notification.kind.in_(("due_soon", "overdue"))).order_by(Notification.id)))


def due_state(flow: Flow, task_id: str) -> str:
    """How the lead unit's clerk sees the task in the inbox (逾期 / 即将到期 / …)."""
    page = worklist.list_for(flow.session, flow.user("czj_clerk"), worklist.Filters())
    [row] = [r for r in page.rows if r.id == task_id]
    return row.due_state


def events(flow: Flow, instance) -> int:
    return flow.session.scalar(select(func.count()).select_from(Event).where(Event.instance_id == instance.id))


def test_agreeing_to_an_extension_moves_the_deadline_the_record_and_the_reminders(flow):
    instance = overdue(flow)
    handle = handle_row(flow, instance)
    assert handle.due_at == OLD_DUE and flow.proposal(instance).reply_due == OLD_DUE
    notifications.remind_due(flow.session)
    flow.session.commit()
    assert reminders_for(flow, handle.id) == ["overdue"] and due_state(flow, handle.id) == "overdue"

    flow.do("duban", instance, "remind", EXTEND)

    handle = handle_row(flow, instance)
    assert flow.open_ids(instance) == ["handle"]
    assert handle.due_at == NEW_DUE and flow.proposal(instance).reply_due == NEW_DUE
    assert due_state(flow, handle.id) == "ok"
    assert flow.session.scalars(select(ReminderSent).where(ReminderSent.task_id == handle.id)).all() == []
    event = flow.session.scalars(select(Event).where(Event.instance_id == instance.id, Event.bpmn_id == "remind")).one()
    assert (event.data["remind_action"], event.data["extended_due"]) == ("同意延期", "2026-07-15")
    # The unit replies within the extension; the record keeps the deadline that applied.
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    flow.do("member1", instance, "satisfaction", SATISFIED)
    assert flow.open_ids(instance) == ["archive"] and flow.proposal(instance).reply_due == NEW_DUE


def test_urging_leaves_the_deadline_as_it_was(flow):
    instance = overdue(flow)
    notifications.remind_due(flow.session)
    flow.session.commit()
    flow.do("duban", instance, "remind", {"remind_action": "催办", "extended_due": "2026-07-15",
                                          "remind_note": "请本周内答复"})
    handle = handle_row(flow, instance)
    assert handle.due_at == OLD_DUE and flow.proposal(instance).reply_due == OLD_DUE
    assert due_state(flow, handle.id) == "overdue"
    assert [r.kind for r in flow.session.scalars(select(ReminderSent).where(ReminderSent.task_id == handle.id))] \
        == ["overdue"]
    clock.advance(dt.timedelta(days=60))
    assert notifications.remind_due(flow.session) == 0  # overdue once, and no second reminder


@pytest.mark.parametrize("extended_due, message", [
    ("2026-05-29", "延期至的日期须晚于原答复期限（2026-06-02）"),
    ("2026-06-02", "延期至的日期须晚于原答复期限（2026-06-02）"),
    ("2026-06-05", "延期至的日期须晚于今天（2026-06-05）"),
    (None, "此项必填"),
    ("2026-07-32", "格式不正确"),
])
def test_a_date_that_is_no_extension_is_refused_and_changes_nothing(flow, extended_due, message):
    instance = overdue(flow)
    notifications.remind_due(flow.session)
    flow.session.commit()
    before = events(flow, instance)
    remind = flow.task_of("duban", instance, "remind")
    data = {"remind_action": "同意延期", "remind_note": "同意延期"}
    if extended_due:
        data["extended_due"] = extended_due
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("duban"), remind.id, data)
    flow.session.rollback()
    assert caught.value.errors == {"extended_due": message}
    handle = handle_row(flow, instance)
    assert flow.open_ids(instance) == ["handle", "remind"] and events(flow, instance) == before
    assert handle.due_at == OLD_DUE and flow.proposal(instance).reply_due == OLD_DUE
    assert flow.session.scalars(select(ReminderSent.kind).where(ReminderSent.task_id == handle.id)).all() \
        == ["overdue"]


def test_the_new_deadline_gets_its_own_reminders_and_shows_overdue_once_it_passes(flow):
    instance = overdue(flow)
    schedule.tick(flow.session)  # the overdue reminder for the old deadline
    flow.session.commit()
    flow.do("duban", instance, "remind", EXTEND)
    handle = handle_row(flow, instance)
    assert schedule.tick(flow.session).items() >= {"deadlines": 0, "timers": 0, "started": 0}.items()
    flow.session.commit()
    assert reminders_for(flow, handle.id) == ["overdue"]  # nothing new: 40 days to go

    clock.set_now(dt.datetime(2026, 7, 14, 9, 0, tzinfo=clock.TZ))  # the day before the new deadline
    schedule.tick(flow.session)
    flow.session.commit()
    assert reminders_for(flow, handle.id) == ["overdue", "due_soon"] and due_state(flow, handle.id) == "soon"

    clock.set_now(dt.datetime(2026, 7, 16, 0, 0, 1, tzinfo=clock.TZ))  # just past it
    assert schedule.tick(flow.session).items() >= {"deadlines": 0, "timers": 0, "started": 0}.items()  # the diagram's timer fired long ago
    flow.session.commit()
    assert reminders_for(flow, handle.id) == ["overdue", "due_soon", "overdue"]
    assert due_state(flow, handle.id) == "overdue" and flow.open_ids(instance) == ["handle"]
    page = worklist.list_for(flow.session, flow.user("czj_clerk"), worklist.Filters(due="overdue"))
    assert [r.id for r in page.rows] == [handle.id]
    schedule.tick(flow.session)
    flow.session.commit()
    assert reminders_for(flow, handle.id) == ["overdue", "due_soon", "overdue"]  # once per deadline


def test_rehandling_has_its_own_deadline_which_can_be_extended_too(flow):
    instance = overdue(flow)
    flow.do("duban", instance, "remind", EXTEND)
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    flow.do("member1", instance, "satisfaction", {"satisfaction_work": "满意", "satisfaction": "不满意", "satisfaction_comment": "未见实际进展"})
    second_round = dt.datetime(2026, 9, 5, 9, 0, tzinfo=clock.TZ)  # 3 months after the dissatisfaction
    rehandle = handle_row(flow, instance, "rehandle")
    assert rehandle.due_at == second_round and flow.proposal(instance).reply_due == second_round

    flow.tick(days=95)
    assert flow.open_ids(instance) == ["rehandle", "remind_rehandle"]
    flow.do("duban", instance, "remind_rehandle", {"remind_action": "同意延期", "extended_due": "2026-10-30"})
    extended = dt.datetime(2026, 10, 30, 23, 59, 59, tzinfo=clock.TZ)
    assert handle_row(flow, instance, "rehandle").due_at == extended
    assert flow.proposal(instance).reply_due == extended


def test_no_extension_once_the_unit_has_replied(flow):
    instance = overdue(flow)
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    assert flow.open_ids(instance) == ["remind", "satisfaction"]
    remind = flow.task_of("duban", instance, "remind")
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("duban"), remind.id, EXTEND)
    flow.session.rollback()
    assert caught.value.errors == {"remind_action": "承办单位已经答复，无需延期，请选择其他督办措施"}
    assert flow.proposal(instance).reply_due == OLD_DUE
    flow.do("duban", instance, "remind", {"remind_action": "约谈"})
    assert flow.open_ids(instance) == ["satisfaction"]


def test_the_extension_holds_when_the_instance_moves_to_a_new_version(flow, users):
    instance = overdue(flow)
    flow.do("duban", instance, "remind", EXTEND)
    xml = drafts.get(flow.session, "proposal").bpmn_xml
    drafts.deploy(flow.session, "proposal", users.admin, xml.replace('name="办理答复"', 'name="办理并答复"'))
    flow.session.commit()
    report = migration.migrate(flow.session, "proposal", users.admin)
    flow.session.commit()
    assert [c.instance_id for c in report.moved] == [instance.id]
    handle = handle_row(flow, instance)
    assert (handle.name, handle.due_at) == ("办理并答复", NEW_DUE)
    assert flow.proposal(instance).reply_due == NEW_DUE
