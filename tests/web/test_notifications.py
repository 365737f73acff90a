"""Notification centre pages: new work appears with an unread count in the nav, mark read, mail settings, mail sent
after the request's commit through a local SMTP server."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.runtime import schedule
from engine.worklist.records import Notification, NotificationSetting
from tests.engine.test_notifications import smtp_server  # noqa: F401 - the aiosmtpd fixture

from .helpers import ACCEPT, REVIEW, do, submit, text

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.TZ)


@pytest.fixture(autouse=True)
def _monday():
    clock.set_now(MONDAY)


def unread(db, username: str) -> int:
    from engine.models import User

    value = db.scalar(select(func.count()).select_from(Notification).join(User, User.id == Notification.user_id)
                      .where(User.username == username, Notification.read_at.is_(None)))
    db.rollback()
    return value


def test_new_work_shows_in_the_centre_with_an_unread_count(client, auth, db):
    submit(auth, client)
    auth.as_("tiwei")
    html = client.get("/inbox").get_data(as_text=True)
    assert 'class="nav-count">1<' in html
    page = text(client.get("/notifications"))
    assert "新待办" in page and "审查立案" in page and "关于加快城区老旧小区改造的建议" in page and "未读" in page
    ident = db.scalar(select(Notification.id).where(Notification.kind == "task"))  # tiwei's, the only one
    db.rollback()
    response = client.post("/notifications/read", data={"id": str(ident), "open": "task:x"})
    assert response.status_code == 302 and response.location.startswith("/tasks/")
    assert unread(db, "tiwei") == 0
    assert 'class="nav-count"' not in client.get("/inbox").get_data(as_text=True)


def test_mark_all_read_touches_only_my_own(client, auth, db):
    instance_id = submit(auth, client)
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    auth.as_("office1")
    assert client.post("/notifications/read", data={"all": "1"}).status_code == 302
    assert unread(db, "office1") == 0 and unread(db, "office2") == 1
    assert "暂无通知" not in text(client.get("/notifications?unread=0"))
    assert "暂无通知" in text(client.get("/notifications?unread=1"))


def test_returned_work_and_reminders_reach_the_office(client, auth, db):
    instance_id = submit(auth, client)
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    do(auth, client, db, "office1", instance_id, "assign", {"lead_unit": "czj"})
    do(auth, client, db, "czj_clerk", instance_id, "accept", {"accept_decision": "退回", "return_reason": "不属于本单位"})
    clock.set_now(MONDAY + dt.timedelta(days=10))
    schedule.tick(db)
    db.commit()
    auth.as_("office1")
    page = text(client.get("/notifications"))
    assert "退回待重办" in page and "已逾期" in page


def test_mail_settings_validate_and_save(client, auth, db):
    auth.as_("tiwei")
    assert "电子邮箱" in text(client.get("/notifications/settings"))
    response = client.post("/notifications/settings", data={"email": "", "email_enabled": "1"})
    assert response.status_code == 422 and "开启邮件提醒需要填写电子邮箱" in text(response)
    assert db.scalar(select(func.count()).select_from(NotificationSetting)) == 0
    db.rollback()
    response = client.post("/notifications/settings", data={"email": "tiwei@example.org", "email_enabled": "1"})
    assert response.status_code == 302
    assert 'value="tiwei@example.org"' in client.get("/notifications/settings").get_data(as_text=True)


@pytest.fixture
def app_config(smtp_server):  # noqa: F811 - the app mails through the test's SMTP server
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False, **smtp_server.settings}


def test_mail_is_sent_after_the_request_commits(client, auth, db, smtp_server):  # noqa: F811
    auth.as_("czj_clerk")
    client.post("/notifications/settings", data={"email": "czj@example.org", "email_enabled": "1"})
    instance_id = submit(auth, client)
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    assert smtp_server.messages == []
    do(auth, client, db, "office1", instance_id, "assign", {"lead_unit": "czj"})
    assert [m.rcpt_tos for m in smtp_server.messages] == [["czj@example.org"]]
    message = smtp_server.messages[0].content.decode()
    assert "Subject:" in message
    do(auth, client, db, "czj_clerk", instance_id, "accept", ACCEPT)
    assert len(smtp_server.messages) == 2  # 办理答复 for the unit
