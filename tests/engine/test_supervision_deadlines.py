"""Supervision waits have a way on: the units asked to report on a division task (P14) are reminded at the task's
deadline and the supervisor may go on without them (未报送); so may the office without a silent team member."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.models import Instance
from engine.procedures.supervision import division
from engine.runtime import schedule, verbs as runtime

from .flow import MONDAY, complete, open_rows
from .supervision_flow import clerk_of


@pytest.fixture
def s(deployed, both_backends):
    clock.set_now(MONDAY)
    return deployed


def tick(session, moment: dt.datetime) -> None:
    clock.set_now(moment)
    schedule.tick(session)
    session.commit()


def test_division_task_contributions_deadline_then_the_supervisor_goes_on_without_the_silent_units(s, users):
    instance = division.start_item(s, users.duban, "1", deadline="2026-03-13")
    s.commit()
    rows = open_rows(s, instance, "contribute")
    answered, silent = sorted(r.candidate_unit for r in rows)[:2], sorted(r.candidate_unit for r in rows)[2:]
    for unit in answered:
        complete(s, clerk_of(s, unit), instance, "contribute", {"contribution_text": f"{unit}已配合"})
    assert s.get(Instance, instance.id).next_timer_at.astimezone(clock.TZ).isoformat() == "2026-03-13T23:59:59+08:00"

    tick(s, dt.datetime(2026, 3, 14, 9, 0, tzinfo=clock.TZ))
    assert sorted(r.bpmn_id for r in open_rows(s, instance)) == ["contribute", "contribute", "contribute_urge"]
    complete(s, users.duban, instance, "contribute_urge", {"urge_action": "不再等待", "urge_note": "已电话催报"})
    assert [r.bpmn_id for r in open_rows(s, instance)] == ["report"]  # the lead unit gets at least 5 working days
    assert s.get(Instance, instance.id).next_timer_at.astimezone(clock.TZ).isoformat() == "2026-03-20T23:59:59+08:00"
    contributions = runtime.instance_data(s, instance)["contributions"]
    assert sorted((c["unit"], c["status"]) for c in contributions) == sorted(
        [(u, "已报送") for u in answered] + [(u, "未报送") for u in silent])
