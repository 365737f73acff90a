"""Audit events, hash-chained per instance (the chain head lives on the instance row: no extra read per write)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Event, Instance, User


def _stamp(moment) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def _digest(prev: str, payload: dict) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((prev + text).encode("utf-8")).hexdigest()


def record(session: Session, instance: Instance, kind: str, actor: User | None, *, task=None,
           data: dict | None = None, spec=None) -> Event:
    """`task` is the engine task acted on; `spec` names the step when there is no task (the start event)."""
    spec = task.task_spec if task is not None else spec
    at = clock.now()
    payload = {
        "instance": instance.id, "kind": kind, "actor": actor.id if actor else None, "at": _stamp(at),
        "task": str(task.id) if task is not None else None, "data": data or {},
    }
    event = Event(
        instance_id=instance.id, kind=kind, actor_id=actor.id if actor else None, at=at, data=data or {},
        task_id=payload["task"], bpmn_id=spec.bpmn_id if spec is not None else None,
        task_name=(spec.bpmn_name or spec.bpmn_id) if spec is not None else None,
        prev_hash=instance.audit_head, hash=_digest(instance.audit_head, payload),
    )
    instance.audit_head = event.hash
    session.add(event)
    return event


def _payload(event: Event) -> dict:
    return {"instance": event.instance_id, "kind": event.kind, "actor": event.actor_id, "at": _stamp(event.at),
            "task": event.task_id, "data": event.data}


def first_break(events, head: str | None = None) -> tuple[Event | None, str] | None:
    """The first event where a chain breaks and why — "edited" (its content no longer gives its hash), "link" (it
    does not follow the event before it: one was removed or two swapped) or "head" (the chain stops short of the head
    kept on its instance: events at the end were removed; the event is then the last one, or None) — or None when the
    chain holds. `events` in the order they were written."""
    prev, last = "", None
    for event in events:
        if event.prev_hash != prev:
            return event, "link"
        if event.hash != _digest(prev, _payload(event)):
            return event, "edited"
        prev, last = event.hash, event
    if head is not None and head != prev:
        return last, "head"
    return None


def verify(session: Session, instance_id: int) -> bool:
    """True when the instance's events still form an unbroken chain up to the head kept on the instance."""
    events = session.scalars(select(Event).where(Event.instance_id == instance_id).order_by(Event.id))
    head = session.scalar(select(Instance.audit_head).where(Instance.id == instance_id))
    return first_break(events, head) is None


# ------------------------------------------------------------------ logs of no instance (accounts, the holiday calendar)

def _log_payload(kind: str, actor_id: int | None, at, data: dict) -> dict:
    return {"instance": None, "kind": kind, "actor": actor_id, "at": _stamp(at), "task": None, "data": data}


def _log_rows(kinds: tuple[str, ...]):
    return Event.instance_id.is_(None), Event.kind.in_(kinds)


def record_log(session: Session, kinds: tuple[str, ...], kind: str, actor: User | None, data: dict) -> Event:
    """An event of a log that belongs to no instance, hash-chained to the newest event of the same `kinds`. The
    log's head is locked first, until the transaction ends, so that two changes at once chain one after the other
    instead of both after the same event (a fork). SQLite's single writer needs no lock of its own."""
    _lock_head(session, kinds)
    prev = session.scalar(select(Event.hash).where(*_log_rows(kinds)).order_by(Event.id.desc()).limit(1)) or ""
    at = clock.now()
    actor_id = actor.id if actor is not None else None
    event = Event(instance_id=None, kind=kind, actor_id=actor_id, at=at, data=data, prev_hash=prev,
                  hash=_digest(prev, _log_payload(kind, actor_id, at, data)))
    session.add(event)
    session.flush()
    return event


def _lock_head(session: Session, kinds: tuple[str, ...]) -> None:
    """PostgreSQL: a transaction-scoped advisory lock named after the log; the SELECT of the head that follows then
    sees (READ COMMITTED) the event of whoever held it before."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(",".join(sorted(kinds)).encode("utf-8"))
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def log_events(session: Session, kinds: tuple[str, ...], *extra) -> list[Event]:
    """The log's events, newest first (`extra`: further conditions)."""
    return list(session.scalars(select(Event).where(*_log_rows(kinds), *extra).order_by(Event.id.desc())))


def log_break(session: Session, kinds: tuple[str, ...]) -> tuple[Event | None, str] | None:
    return first_break(session.scalars(select(Event).where(*_log_rows(kinds)).order_by(Event.id)))


def verify_log(session: Session, kinds: tuple[str, ...]) -> bool:
    """True while the log's events still form an unbroken chain (none edited, none removed)."""
    return log_break(session, kinds) is None
