"""county_event → county_events: what 县委 and 县政府 owe the CPPCC (第18, 30条), recorded when its form is sent."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine import clock
from engine.procedures.consultation.steps import _date, _strings, _text
from engine.procedures.yearly.records import CountyEvent

PROCESS_KEYS = ("county_event",)


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    if kind != "start":
        return
    session.execute(insert(CountyEvent).values(
        instance_id=instance.id, kind=_text(data.get("event_kind"), 40), title=_text(data.get("title"), 200),
        held_on=_date(data.get("held_on")), leaders=_strings(data.get("cppcc_leaders")),
        note=_text(data.get("event_note")),
        recorded_by_unit=actor.unit.code if actor is not None and actor.unit is not None else None,
        created_at=clock.now()))
