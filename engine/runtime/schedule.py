"""Instances to start on a date, and the tick that starts them and fires due timers."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import verbs as runtime
from engine.errors import FormInvalid, XieshangError
from engine.models import Instance, ScheduledStart, User

log = logging.getLogger("xieshang.engine")


def schedule(session: Session, process_key: str, start_at: dt.datetime, data: dict, *,
             requested_by: User | None = None, source: Instance | None = None) -> ScheduledStart:
    row = ScheduledStart(process_key=process_key, start_at=start_at, data=data,
                         requested_by_id=requested_by.id if requested_by else None,
                         source_instance_id=source.id if source else None)
    session.add(row)
    return row


def start_due(session: Session, limit: int = 200) -> int:
    """Start every pending scheduled instance whose day has come; a failure is recorded on its row."""
    due = session.scalars(select(ScheduledStart).where(
        ScheduledStart.status == "pending", ScheduledStart.start_at <= clock.now())
        .order_by(ScheduledStart.start_at, ScheduledStart.id).limit(limit)).all()
    started = 0
    for row in due:
        actor = session.get(User, row.requested_by_id) if row.requested_by_id else None
        try:
            with session.begin_nested():
                instance = runtime.start_instance(session, actor, row.process_key, row.data, system=True)
            row.status, row.instance_id = "started", instance.id
            started += 1
        except XieshangError as err:
            detail = "；".join(f"{k}：{v}" for k, v in err.errors.items()) if isinstance(err, FormInvalid) else ""
            row.status, row.error = "failed", f"{err.message}{detail}"
            log.warning("scheduled start %s failed: %s", row.id, row.error)
    return started


def tick(session: Session) -> dict[str, int]:
    """What `xieshang tick` does: fire due timers, start what was scheduled for today, send due-date reminders, and
    once a night verify every audit chain (`broken` in the counts when it ran)."""
    from engine import integrity
    from engine.calendar import holidays
    from engine.worklist import notifications

    counts = {"deadlines": holidays.repair_recent(session), "timers": runtime.fire_due_timers(session),
              "started": start_due(session)}
    notifications.tick(session)
    if integrity.due(session):
        counts["broken"] = len(integrity.run(session, "tick").broken)
    return counts
