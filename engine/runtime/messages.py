"""Waiting instances: the next timer due time, message subscriptions and delivery of thrown messages.

A thrown message goes to every other running instance waiting for it with the same correlation, and into a log:
an instance that starts waiting later (a proposal merged into one whose reply already went out) is handed the
latest logged message it has not received yet.
"""
from __future__ import annotations

import json
import logging

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from engine.calendar import workdays
from engine.models import Instance, MessageLog, MessageReceipt, MessageWait

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


def sync_waits(session: Session, instance: Instance, workflow) -> list[tuple[str, str]]:
    """Keep the instance's subscriptions equal to what it waits for; returns the waits that are new."""
    waits = _waits(workflow) if not workflow.is_completed() else []
    signature = json.dumps(waits, ensure_ascii=False)
    previous = {tuple(w) for w in json.loads(instance.message_waits or "[]")}
    if signature == (instance.message_waits or "[]"):
        return []
    instance.message_waits = signature
    session.execute(delete(MessageWait).where(MessageWait.instance_id == instance.id))
    if waits:
        session.execute(insert(MessageWait), [
            {"instance_id": instance.id, "message": name, "correlation": key} for name, key in waits])
    return [w for w in waits if w not in previous]


def _log(session: Session, source: Instance, event) -> MessageLog:
    keys = _keys(event.correlations)
    entry = MessageLog(message=event.event_definition.name, correlation=keys[0] if keys else "",
                       correlations=event.correlations or {}, payload=event.payload or {},
                       source_instance_id=source.id)
    session.add(entry)
    session.flush()
    return entry


def deliver(session: Session, source: Instance, events, receive, depth: int = 0) -> int:
    """Log each thrown message and give it to every other instance waiting for it with matching correlation."""
    delivered = 0
    for event in events:
        if not isinstance(event.event_definition, MessageEventDefinition):
            continue
        entry = _log(session, source, event)
        if depth >= MAX_DEPTH:
            log.warning("message %s from instance %s not delivered: chain too deep", entry.message, source.id)
            continue
        keys = _keys(event.correlations) + [""]
        targets = session.scalars(select(Instance).join(MessageWait, MessageWait.instance_id == Instance.id).where(
            MessageWait.message == entry.message, MessageWait.correlation.in_(keys),
            Instance.id != source.id, Instance.status == "running").distinct()).all()
        for target in targets:
            session.add(MessageReceipt(instance_id=target.id, log_id=entry.id))
            receive(session, target, event)
            delivered += 1
    return delivered


def replay(session: Session, instance: Instance, workflow, new_waits: list[tuple[str, str]], receive) -> bool:
    """Hand a newly waiting instance the latest logged message it waits for and has not had; True if one was."""
    for name, key in new_waits:
        received = select(MessageReceipt.log_id).where(MessageReceipt.instance_id == instance.id)
        query = select(MessageLog).where(MessageLog.message == name, MessageLog.id.not_in(received),
                                         MessageLog.source_instance_id != instance.id)
        if key:
            query = query.where(MessageLog.correlation == key)
        entry = session.scalars(query.order_by(MessageLog.id.desc()).limit(1)).first()
        if entry is None:
            continue
        waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING)
                   if getattr(t.task_spec, "event_definition", None) is not None
                   and t.task_spec.event_definition.name == name]
        if not waiting:
            continue
        event = BpmnEvent(waiting[0].task_spec.event_definition, payload=entry.payload,
                          correlations=entry.correlations)
        session.add(MessageReceipt(instance_id=instance.id, log_id=entry.id))
        receive(session, instance, event)
        return True
    return False
