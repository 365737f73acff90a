"""Waiting instances: the next timer due time, message subscriptions and delivery of thrown messages."""
from __future__ import annotations

import json
import logging

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition

from . import workdays
from .models import Instance, MessageWait

log = logging.getLogger("xieshang.engine")
TIMER_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}
MAX_DEPTH = 5  # a message may make its receiver throw another; stop runaway chains


def next_timer(workflow):
    due = [workdays.parse(ev.value) for ev in workflow.waiting_events()
           if ev.event_type in TIMER_TYPES and isinstance(ev.value, str)]
    return min(due) if due else None


def _keys(correlations: dict) -> list[str]:
    return [f"{key}={json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)}"
            for key, value in sorted((correlations or {}).items())]


def _waits(workflow) -> list[tuple[str, str]]:
    found = set()
    for ev in workflow.waiting_events():
        if ev.event_type.endswith("MessageEventDefinition"):
            for key in _keys(ev.correlations) or [""]:
                found.add((ev.name, key))
    return sorted(found)


def sync_waits(session: Session, instance: Instance, workflow) -> None:
    """Keep the instance's subscriptions equal to what it waits for (no statement when nothing changed)."""
    waits = _waits(workflow) if not workflow.is_completed() else []
    signature = json.dumps(waits, ensure_ascii=False)
    if signature == (instance.message_waits or "[]"):
        return
    instance.message_waits = signature
    session.execute(delete(MessageWait).where(MessageWait.instance_id == instance.id))
    if waits:
        session.execute(insert(MessageWait), [
            {"instance_id": instance.id, "message": name, "correlation": key} for name, key in waits])


def deliver(session: Session, source: Instance, events, receive, depth: int = 0) -> int:
    """Give each thrown message to every other instance waiting for it with matching correlation."""
    delivered = 0
    for event in events:
        if not isinstance(event.event_definition, MessageEventDefinition):
            continue
        if depth >= MAX_DEPTH:
            log.warning("message %s from instance %s not delivered: chain too deep", event.event_definition.name,
                        source.id)
            continue
        keys = _keys(event.correlations) + [""]
        targets = session.scalars(select(Instance).join(MessageWait, MessageWait.instance_id == Instance.id).where(
            MessageWait.message == event.event_definition.name, MessageWait.correlation.in_(keys),
            Instance.id != source.id, Instance.status == "running").distinct()).all()
        for target in targets:
            receive(session, target, event)
            delivered += 1
    return delivered
