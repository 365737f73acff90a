"""逾期督办 page: 延期至 shows only for 同意延期, a date that is no extension is refused next to the field, an
agreed one moves the unit's deadline and shows in the case history."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.runtime import verbs as runtime
from engine.models import OpenTask

from .helpers import ACCEPT, ASSIGN, REVIEW, do, open_steps, submit, task_id, text

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.TZ)


@pytest.fixture
def overdue(client, auth, db):
    """A proposal whose reply to 财政局 is three days past its deadline (2026-06-02): 逾期督办 is open for 督查室."""
    clock.set_now(MONDAY)
    instance_id = submit(auth, client)
    do(auth, client, db, "tiwei", instance_id, "review", {**REVIEW, "is_key": "false"})
    do(auth, client, db, "office1", instance_id, "assign", ASSIGN)
    do(auth, client, db, "czj_clerk", instance_id, "accept", ACCEPT)
    clock.set_now(MONDAY + dt.timedelta(days=95))
    runtime.fire_due_timers(db)
    db.commit()
    assert open_steps(db, instance_id) == ["handle", "remind"]
    auth.as_("duban")
    return instance_id


def handle_due(db, instance_id: int) -> dt.datetime:
    value = db.scalar(select(OpenTask.due_at).where(OpenTask.instance_id == instance_id, OpenTask.bpmn_id == "handle"))
    db.rollback()
    return value


def test_the_date_field_is_offered_for_an_extension_only(client, db, overdue):
    page = client.get(f"/tasks/{task_id(db, 'duban', overdue, 'remind')}").get_data(as_text=True)
    assert 'data-key="extended_due" data-show-if="{&#34;remind_action&#34;: [&#34;同意延期&#34;]}"' in page
    assert 'name="extended_due"' in page and 'data-datepicker' in page and "延期至" in page
    assert "同意延期时必填；须晚于原答复期限，且晚于今天" in page


@pytest.mark.parametrize("data, message", [
    ({"extended_due": "2026-05-20"}, "延期至的日期须晚于原答复期限（2026-06-02）"),
    ({"extended_due": "2026-06-04"}, "延期至的日期须晚于今天（2026-06-05）"),
    ({}, "此项必填"),
])
def test_a_date_that_is_no_extension_is_refused_next_to_the_field(client, db, overdue, data, message):
    remind = task_id(db, "duban", overdue, "remind")
    response = client.post(f"/tasks/{remind}", data={"remind_action": "同意延期", "remind_note": "", **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="err-extended_due"' in page and message in text(response)
    assert 'value="同意延期" checked' in page  # the choice is kept for the second try
    assert open_steps(db, overdue) == ["handle", "remind"]
    assert handle_due(db, overdue) == dt.datetime(2026, 6, 2, 9, 0, tzinfo=clock.TZ)


def test_an_agreed_extension_moves_the_deadline_and_shows_in_the_history(client, db, overdue):
    remind = task_id(db, "duban", overdue, "remind")
    response = client.post(f"/tasks/{remind}", data={"remind_action": "同意延期", "extended_due": "2026-07-15",
                                                     "remind_note": "涉及年度预算调整"})
    assert response.status_code == 302, text(response)
    assert open_steps(db, overdue) == ["handle"]
    assert handle_due(db, overdue) == dt.datetime(2026, 7, 15, 23, 59, 59, tzinfo=clock.TZ)
    history = text(client.get(f"/instances/{overdue}"))
    assert "逾期督办" in history and "督办措施 同意延期" in history and "延期至 2026-07-15" in history


def test_the_units_task_page_shows_the_extended_deadline(client, auth, db, overdue):
    remind = task_id(db, "duban", overdue, "remind")
    client.post(f"/tasks/{remind}", data={"remind_action": "同意延期", "extended_due": "2026-07-15"})
    auth.as_("czj_clerk")
    page = text(client.get(f"/tasks/{task_id(db, 'czj_clerk', overdue, 'handle')}"))
    assert "2026-07-15 23:59" in page and "2026-06-02 09:00" not in page
