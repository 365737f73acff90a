"""Form drafts: what someone typed into an open task's form, kept per task and person until the task is done.

(Named form_drafts: engine/definitions/working_copies.py holds the modeler's working copies of diagrams.) A draft row references its
open task with ON DELETE CASCADE, so completing the task — which deletes the open task row — discards its drafts.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import clock
from engine.worklist import inbox
from engine.models import User
from engine.cases.records import TaskDraft


def save(session: Session, actor: User, task_id: str, data: dict[str, Any]) -> TaskDraft:
    """Keep the form as it is (NotFound if the task is not open or not the actor's)."""
    inbox.get_task_for(session, actor, task_id)
    row = session.get(TaskDraft, (task_id, actor.id)) or TaskDraft(task_id=task_id, user_id=actor.id)
    row.data, row.saved_at = dict(data), clock.now()
    session.add(row)
    session.flush()
    return row


def load(session: Session, actor: User, task_id: str) -> TaskDraft | None:
    return session.get(TaskDraft, (task_id, actor.id), populate_existing=True)


def discard(session: Session, actor: User, task_id: str) -> None:
    row = session.get(TaskDraft, (task_id, actor.id))
    if row is not None:
        session.delete(row)
        session.flush()
