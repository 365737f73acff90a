"""Scheduled starts: an instance begins on its day, bad scheduled data is recorded, not lost."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine import clock
from engine.runtime import schedule
from engine.models import Instance, OpenTask

from .flow import MONDAY, SUBMIT


def test_a_scheduled_instance_starts_on_its_day(deployed, users):
    clock.set_now(MONDAY)
    row = schedule.schedule(deployed, "proposal", MONDAY + dt.timedelta(days=3), dict(SUBMIT),
                            requested_by=users.member1)
    bad = schedule.schedule(deployed, "proposal", MONDAY + dt.timedelta(days=3), {"title": ""})
    deployed.commit()
    assert schedule.tick(deployed).items() >= {"deadlines": 0, "timers": 0, "started": 0}.items()
    clock.advance(dt.timedelta(days=3, seconds=1))
    assert schedule.tick(deployed).items() >= {"deadlines": 0, "timers": 0, "started": 1}.items()
    deployed.commit()
    assert row.status == "started" and bad.status == "failed" and "必填" in bad.error
    instance = deployed.get(Instance, row.instance_id)
    assert instance.started_by_id == users.member1.id and instance.title == SUBMIT["title"]
    assert deployed.scalars(select(OpenTask.bpmn_id).where(OpenTask.instance_id == instance.id)).all() == ["review"]
    assert schedule.tick(deployed)["started"] == 0
