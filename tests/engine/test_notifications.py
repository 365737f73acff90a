"""Notification centre: new work in the same transaction as the task, returned work, handovers, reminders once per
task and kind from the tick, and mail through SMTP only after commit (a local aiosmtpd server)."""
from __future__ import annotations

import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from engine.worklist import claims, notifications
from engine.runtime import schedule, verbs as runtime
from engine.errors import FormInvalid
from engine.worklist.records import Notification, OutboxMail
from engine import clock, settings
from engine.settings import Settings

from .flow import MONDAY, SUBMIT, Flow


class Sink:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.settings = {"XIESHANG_SMTP_HOST": "127.0.0.1", "XIESHANG_SMTP_PORT": str(controller.port),
                     "XIESHANG_SMTP_FROM": "xieshang@example.org", "XIESHANG_BASE_URL": "http://xieshang.test"}
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


def inbox_of(flow: Flow, username: str) -> list[tuple[str, str]]:
    flow.session.expire_all()
    rows = flow.session.execute(select(Notification.kind, Notification.task_name)
                                .where(Notification.user_id == flow.user(username).id).order_by(Notification.id))
    return [tuple(r) for r in rows]


def test_a_new_task_notifies_everyone_who_may_act_in_the_same_transaction(flow):
    instance = flow.submit()
    assert inbox_of(flow, "tiwei") == [("task", "审查立案")]
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    assert inbox_of(flow, "office1") == [("task", "交办")] and inbox_of(flow, "office2") == [("task", "交办")]
    assert inbox_of(flow, "duban") == []
    flow.do("office1", instance, "assign", {"lead_unit": "czj"})
    assert inbox_of(flow, "czj_clerk") == [("task", "签收")] and inbox_of(flow, "czj_clerk2") == [("task", "签收")]
    assert inbox_of(flow, "fgw_clerk") == []


def test_a_rolled_back_step_leaves_no_notification(flow):
    instance = flow.submit()
    task = flow.open(instance, "review")[0]

    runtime.complete_task(flow.session, flow.user("tiwei"), task.id, {"decision": "立案"})
    flow.session.rollback()
    assert inbox_of(flow, "office1") == []


def test_returned_work_is_announced_as_such(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.do("office1", instance, "assign", {"lead_unit": "czj"})
    flow.do("czj_clerk", instance, "accept", {"accept_decision": "退回", "return_reason": "不属于本单位职责"})
    assert inbox_of(flow, "office1") == [("task", "交办"), ("returned", "交办")]


def test_handovers_notify_the_colleague_and_the_delegator(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    task = flow.open(instance, "assign")[0]
    office1 = flow.user("office1")
    claims.delegate(flow.session, office1, task.id, "office2")
    claims.hand_back(flow.session, flow.user("office2"), task.id)
    claims.reassign(flow.session, office1, task.id, "office2")
    flow.session.commit()
    assert inbox_of(flow, "office2")[1:] == [("delegate", "交办"), ("reassign", "交办")]
    assert inbox_of(flow, "office1")[1:] == [("handback", "交办")]
    listed, total = notifications.list_for(flow.session, flow.user("office2"))
    assert total == 3 and listed[0][1] == "王秀英（政协办公室）" and listed[0][2] is True


def test_the_delegator_hears_when_the_delegate_completes(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    task = flow.open(instance, "assign")[0]
    claims.delegate(flow.session, flow.user("office1"), task.id, "office2")
    flow.session.commit()

    runtime.complete_task(flow.session, flow.user("office2"), task.id, {"lead_unit": "czj"})
    flow.session.commit()
    assert inbox_of(flow, "office1")[-1] == ("delegate_done", "交办")
    listed, _total = notifications.list_for(flow.session, flow.user("office1"))
    assert listed[0][1] == "钱敏（政协办公室）" and listed[0][2] is False  # by whom; the task is closed
    assert inbox_of(flow, "office2")[-1] == ("delegate", "交办")  # the delegate is not told of their own work


def test_reminders_once_per_task_and_kind(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})  # assign: due in 5 working days (Mon 9 March)
    assert schedule.tick(flow.session).items() >= {"deadlines": 0, "timers": 0, "started": 0}.items()
    flow.session.commit()
    assert [k for k, _ in inbox_of(flow, "office1")] == ["task"]
    clock.set_now(MONDAY + dt.timedelta(days=3))  # Thursday: 2 working days left
    schedule.tick(flow.session)
    schedule.tick(flow.session)
    flow.session.commit()
    assert [k for k, _ in inbox_of(flow, "office1")] == ["task", "due_soon"]
    claims.claim(flow.session, flow.user("office2"), flow.open(instance, "assign")[0].id)
    clock.set_now(MONDAY + dt.timedelta(days=8))  # Tuesday after: overdue; only the claimer is reminded now
    assert notifications.remind_due(flow.session) == 1
    assert notifications.remind_due(flow.session) == 0
    flow.session.commit()
    assert [k for k, _ in inbox_of(flow, "office1")] == ["task", "due_soon"]
    assert [k for k, _ in inbox_of(flow, "office2")] == ["task", "due_soon", "overdue"]


def test_unread_count_and_mark_read_touch_only_ones_own(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    office1, office2 = flow.user("office1"), flow.user("office2")
    assert notifications.unread_count(flow.session, office1) == 1
    theirs = flow.session.scalar(select(Notification.id).where(Notification.user_id == office2.id))
    assert notifications.mark_read(flow.session, office1, [theirs]) == 0
    assert notifications.mark_read(flow.session, office1) == 1
    flow.session.commit()
    assert notifications.unread_count(flow.session, office1) == 0
    assert notifications.unread_count(flow.session, office2) == 1


def test_mail_goes_out_only_after_commit(flow, smtp_server):
    settings.use(flow.session, Settings.from_mapping(smtp_server.settings))
    notifications.save_setting(flow.session, flow.user("tiwei"), "tiwei@example.org", True)
    notifications.save_setting(flow.session, flow.user("office1"), "office1@example.org", False)
    flow.session.commit()
    instance = flow.submit()  # commits: tiwei gets mail
    assert [m.rcpt_tos for m in smtp_server.messages] == [["tiwei@example.org"]]
    body = smtp_server.messages[0].content.decode()
    assert "xieshang.test/tasks/" in body or "=" in body  # the body is encoded; the subject names the step
    assert flow.session.scalar(select(OutboxMail.status)) == "sent"


    task = flow.open(instance, "review")[0]
    runtime.complete_task(flow.session, flow.user("tiwei"), task.id, {"decision": "立案"})
    notifications.save_setting(flow.session, flow.user("office2"), "office2@example.org", True)
    flow.session.flush()
    assert len(smtp_server.messages) == 1  # nothing is sent inside the transaction
    flow.session.rollback()
    assert len(smtp_server.messages) == 1 and flow.session.scalar(select(func.count()).select_from(OutboxMail)) == 1

    with flow.session.begin_nested():  # as timers and scheduled starts run: a savepoint is not the commit
        runtime.start_instance(flow.session, flow.user("member2"), "proposal", {**SUBMIT, "title": "另一件"})
    assert len(smtp_server.messages) == 1
    flow.session.commit()
    assert len(smtp_server.messages) == 2


def test_mail_waits_in_the_outbox_while_the_server_is_down_and_tick_sends_it(flow, smtp_server):
    down = {**smtp_server.settings, "XIESHANG_SMTP_PORT": str(_free_port())}
    settings.use(flow.session, Settings.from_mapping(down))
    notifications.save_setting(flow.session, flow.user("tiwei"), "tiwei@example.org", True)
    flow.session.commit()
    flow.submit()
    assert flow.session.scalar(select(OutboxMail.status)) == "pending" and smtp_server.messages == []
    settings.use(flow.session, Settings.from_mapping(smtp_server.settings))
    schedule.tick(flow.session)
    flow.session.commit()
    flow.session.expire_all()
    assert flow.session.scalar(select(OutboxMail.status)) == "sent" and len(smtp_server.messages) == 1


def test_no_mail_is_queued_without_smtp_settings(flow, monkeypatch):
    monkeypatch.setenv("XIESHANG_SMTP_HOST", "127.0.0.1")  # the engine reads no environment
    notifications.save_setting(flow.session, flow.user("tiwei"), "tiwei@example.org", True)
    flow.session.commit()
    flow.submit()
    assert flow.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


@pytest.mark.parametrize("email, enabled", [("not-an-address", True), ("", True), ("a b@c", False)])
def test_bad_mail_settings_are_refused(flow, email, enabled):
    with pytest.raises(FormInvalid):
        notifications.save_setting(flow.session, flow.user("tiwei"), email, enabled)
