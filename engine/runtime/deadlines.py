"""Deadlines counted in working days: what the runtime keeps of them, and recomputing them when the calendar changes.

Two kinds are kept. An inbox row whose step says `dueWorkingDays` keeps the count (`OpenTask.due_working_days`,
counted from `created_at`). A deadline a script counted (`add_working_days` in the diagram, e.g. the proposal's
7-working-day return window, which both the 签收 step's due date and its timer read) is kept on the instance
(`Instance.workday_deadlines`: start, days, due) — recomputing it replaces that instant wherever the live part of the
workflow holds it (data of unfinished tasks, a waiting timer) and on the instance's inbox rows. Finished work is left
as it was. Each moved deadline is one line of the case history.
"""
from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, undefer
from SpiffWorkflow.util.task import TaskState

from engine.runtime import audit, messages, state
from engine import clock
from engine.definitions import deploy as definitions
from engine.calendar import workdays
from engine.models import Instance, OpenTask, User
from engine.worklist.records import ReminderSent

log = logging.getLogger("xieshang.engine")
KEEP = 20  # script-counted deadlines kept per instance (the newest)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(clock.TZ).isoformat(timespec="seconds")


# ------------------------------------------------------------------ kept while a step runs (engine/runtime/verbs.py)

def note(instance: Instance, rows: list[dict], computed: list[workdays.Computation]) -> tuple[str | None, list[str]]:
    """Fill the new inbox rows' working-day fields from the computations of this step; return the instance's kept
    deadlines as JSON when they changed (else None), and the calendar years they were counted by (for the audit)."""
    by_task = {c.task: c for c in computed if c.task}
    scripted = [c for c in computed if not c.task]
    kept = json.loads(instance.workday_deadlines or "[]") if scripted or rows else []
    if scripted:
        kept = (kept + [{"start": _iso(c.start), "days": c.days, "due": _iso(c.due), "pending": c.pending}
                        for c in scripted])[-KEEP:]
    pending_dues = {entry["due"] for entry in kept if entry["pending"]}
    for row in rows:
        found = by_task.get(row["id"])
        row["due_working_days"] = found.days if found else None
        row["due_pending"] = found.pending if found else (row["due_at"] is not None
                                                          and _iso(row["due_at"]) in pending_dues)
    bases = sorted({b for c in computed for b in c.basis().split("；")})
    return (json.dumps(kept, ensure_ascii=False) if scripted else None), bases


# ------------------------------------------------------------------ recomputing after a change of the calendar

def recompute(session: Session, years: list[int], actor: User | None) -> int:
    """Recompute every open deadline counted across one of `years`; returns how many moved or changed state."""
    if not years:
        return 0
    first, last = dt.datetime(min(years), 1, 1, tzinfo=clock.TZ), dt.datetime(max(years) + 1, 1, 1, tzinfo=clock.TZ)
    moved = 0
    rows = session.scalars(select(OpenTask).where(OpenTask.due_working_days.is_not(None),
                                                  OpenTask.created_at < last, OpenTask.due_at >= first)).all()
    for row in rows:
        moved += _recompute_row(session, row, years, actor)
    running = session.scalars(select(Instance).where(Instance.status == "running",
                                                     Instance.workday_deadlines != "[]")
                              .options(undefer(Instance.state))).all()
    for instance in running:
        moved += _recompute_instance(session, instance, years, actor)
    if moved:
        log.info("holiday calendar of %s changed: %d open deadlines recomputed", years, moved)
    return moved


def _touches(start: dt.datetime, due: dt.datetime, years: list[int]) -> bool:
    span = range(start.astimezone(clock.TZ).year, due.astimezone(clock.TZ).year + 1)
    return any(year in span for year in years)


def _recompute_row(session: Session, row: OpenTask, years: list[int], actor: User | None) -> int:
    if not _touches(row.created_at, row.due_at, years):
        return 0
    new = workdays.count_working_days(row.created_at, row.due_working_days)
    computation = workdays.Computation(row.created_at, row.due_working_days, new, row.id)
    if new == row.due_at and computation.pending == row.due_pending:
        return 0
    old = row.due_at
    row.due_at, row.due_pending = new, computation.pending
    if new != old:
        _forget_reminders(session, [row.id])
    instance = session.get(Instance, row.instance_id)
    _history(session, instance, actor, old, new, computation, row)
    return 1


def _recompute_instance(session: Session, instance: Instance, years: list[int], actor: User | None) -> int:
    kept = json.loads(instance.workday_deadlines or "[]")
    changes: list[tuple[dict, dt.datetime, workdays.Computation]] = []
    for entry in kept:
        start, due = workdays.parse(entry["start"]), workdays.parse(entry["due"])
        if not _touches(start, due, years):
            continue
        new = workdays.count_working_days(start, entry["days"])
        computation = workdays.Computation(start, entry["days"], new)
        if new != due or computation.pending != entry["pending"]:
            changes.append((entry, due, computation))
    if not changes:
        return 0
    version = definitions.version_by_id(session, instance.version_id)
    workflow = state.load(instance.state, definitions.specs(session, version))
    for entry, old, computation in changes:
        old_text, new_text = entry["due"], _iso(computation.due)
        _replace_live(workflow, old_text, new_text)
        ids = session.scalars(select(OpenTask.id).where(OpenTask.instance_id == instance.id,
                                                        OpenTask.due_at == old)).all()
        session.execute(update(OpenTask).where(OpenTask.id.in_(ids))
                        .values(due_at=computation.due, due_pending=computation.pending)
                        .execution_options(synchronize_session=False))
        if computation.due != old:
            _forget_reminders(session, ids)
        entry.update(due=new_text, pending=computation.pending)
        _history(session, instance, actor, old, computation.due, computation, None)
    instance.state = state.dump(workflow)
    instance.next_timer_at = messages.next_timer(workflow)
    instance.workday_deadlines = json.dumps(kept, ensure_ascii=False)
    instance.updated_at = clock.now()
    session.flush()
    return len(changes)


def _replace_live(workflow, old: str, new: str) -> None:
    """The deadline as the unfinished part of the workflow holds it: task data and waiting timers."""
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        for key, value in list(task.data.items()):
            if value == old:
                task.data[key] = new
        if task.internal_data.get("event_value") == old:
            task.internal_data["event_value"] = new
    for key, value in list(workflow.data.items()):
        if value == old:
            workflow.data[key] = new


def _forget_reminders(session: Session, task_ids: list[str]) -> None:
    if task_ids:
        session.execute(delete(ReminderSent).where(ReminderSent.task_id.in_(task_ids))
                        .execution_options(synchronize_session=False))


def _history(session: Session, instance: Instance, actor: User | None, old: dt.datetime, new: dt.datetime,
             computation: workdays.Computation, row: OpenTask | None) -> None:
    data = {"from": _iso(old), "to": _iso(new), "calendar": computation.basis(), "pending": computation.pending}
    event = audit.record(session, instance, "deadline", actor, data=data)
    if row is not None:  # names the step (not part of the hashed payload, as for the start event)
        event.bpmn_id, event.task_name = row.bpmn_id, row.name
