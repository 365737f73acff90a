"""Shared reading of consultation workflows: the steps each (sub)workflow has done, and value clean-up."""
from __future__ import annotations

import datetime as dt

from SpiffWorkflow.bpmn.specs.mixins import UserTaskMixin
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Unit, User

def _date(value) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _text(value, limit: int | None = None) -> str:
    text = "" if value is None else str(value)
    return text[:limit] if limit else text


def _strings(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


class Steps:
    """The tasks of one (sub)workflow by bpmn id: completed user-task data in completion order, and what is open."""

    def __init__(self):
        self.done: dict[str, list] = {}
        self.open: set[str] = set()
        self.any_data: dict | None = None

    def last(self, bpmn_id):
        tasks = self.done.get(bpmn_id)
        return tasks[-1] if tasks else None


def _steps(workflow) -> dict[object, Steps]:
    """Steps per workflow object (the top workflow and each subprocess)."""
    found: dict[object, Steps] = {}
    for task in workflow.get_tasks():
        steps = found.setdefault(task.workflow, Steps())
        bpmn_id = task.task_spec.bpmn_id
        if steps.any_data is None and "outcome_kind" in task.data:
            steps.any_data = task.data
        if bpmn_id is None:
            continue
        if task.state == TaskState.COMPLETED and isinstance(task.task_spec, UserTaskMixin):
            steps.done.setdefault(bpmn_id, []).append(task)
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            steps.open.add(bpmn_id)
    for steps in found.values():
        for tasks in steps.done.values():
            tasks.sort(key=lambda t: t.last_state_change)
    return found


def _known(session: Session, column, *criteria) -> set[str]:
    return set(session.scalars(select(column).where(*criteria)))


def _unit_names(session: Session, codes) -> dict[str, str]:
    codes = [c for c in set(codes) if c]
    if not codes:
        return {}
    return dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes))).all())


def _user_ids(session: Session, usernames) -> dict[str, tuple[int, str]]:
    names = [u for u in set(usernames) if u]
    if not names:
        return {}
    return {u: (i, n) for u, i, n in session.execute(select(User.username, User.id, User.name)
                                                      .where(User.username.in_(names))).all()}


