"""What a user may work on, read from the OpenTask projection only (no workflow is loaded to draw a list)."""
from __future__ import annotations

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, undefer

from engine.definitions import deploy as definitions
from engine.errors import Conflict, NotFound
from engine.models import Instance, OpenTask, ProcessVersion, User
from engine.runtime.tasks import eligible, may_act
from engine.i18n import N_

__all__ = ["tasks_for", "get_task_for", "open_task_for", "may_act", "task_form", "start_form", "visible_clause",
           "eligible_clause"]


def eligible_clause(user: User):
    """SQL condition equal to `tasks.eligible` for one user (lane role and candidates, claims aside)."""
    roles = list(user.role_keys)
    unit = user.unit.code if user.unit else None
    return and_(
        OpenTask.role_key.in_(roles),
        or_(OpenTask.candidate_user.is_(None), OpenTask.candidate_user == user.username),
        or_(OpenTask.candidate_unit.is_(None), OpenTask.candidate_unit == unit),
    )


def visible_clause(user: User):
    """SQL condition equal to `may_act` for one user: eligible and not claimed by someone else."""
    return and_(eligible_clause(user),
                or_(OpenTask.claimed_by_id.is_(None), OpenTask.claimed_by_id == user.id))


def tasks_for(session: Session, user: User, limit: int = 200) -> list[OpenTask]:
    query = select(OpenTask).where(visible_clause(user)).order_by(OpenTask.created_at, OpenTask.id).limit(limit)
    return list(session.scalars(query))


def get_task_for(session: Session, user: User, task_id: str) -> OpenTask:
    row = session.scalars(select(OpenTask).where(OpenTask.id == task_id)  # not the identity map: rows go by bulk DELETE
                          .execution_options(populate_existing=True)).first()
    return _may_work_on(session, user, row)


_OPEN_TASK_AND_VERSION = (  # built once: building a statement and its cache key costs as much as running it
    select(OpenTask, Instance.version_id, ProcessVersion.sha256)
    .join(Instance, Instance.id == OpenTask.instance_id).join(ProcessVersion, ProcessVersion.id == Instance.version_id)
    .where(OpenTask.id == bindparam("task_id")).execution_options(populate_existing=True))


_OPEN_TASK_INSTANCE_AND_VERSION = (  # the same with the instance and its saved state, for completing the task
    select(OpenTask, Instance, ProcessVersion.sha256)
    .join(Instance, Instance.id == OpenTask.instance_id).join(ProcessVersion, ProcessVersion.id == Instance.version_id)
    .where(OpenTask.id == bindparam("task_id")).options(undefer(Instance.state))
    .execution_options(populate_existing=True))


def open_task_for(session: Session, user: User, task_id: str) -> tuple[OpenTask, ProcessVersion]:
    """`get_task_for` and the version its instance runs, in one SELECT (the version row itself is cached)."""
    found = session.execute(_OPEN_TASK_AND_VERSION, {"task_id": task_id}).first()
    row = _may_work_on(session, user, found[0] if found is not None else None)
    return row, definitions.version_by_id(session, found.version_id, found.sha256)


def open_task_to_complete(session: Session, user: User, task_id: str) -> tuple[OpenTask, ProcessVersion, Instance]:
    """`open_task_for` plus the instance with its saved state, still one SELECT: hand (task, instance) to
    runtime.complete_task(opened=…) so that it does not read them again."""
    found = session.execute(_OPEN_TASK_INSTANCE_AND_VERSION, {"task_id": task_id}).first()
    row = _may_work_on(session, user, found[0] if found is not None else None)
    instance = found[1]
    return row, definitions.version_by_id(session, instance.version_id, found.sha256), instance


def _may_work_on(session: Session, user: User, row: OpenTask | None) -> OpenTask:
    if row is None or not eligible(user, row):
        raise NotFound(N_("找不到该待办事项，可能已被办理，或您无权办理。"))
    if not may_act(user, row):
        holder = session.get(User, row.claimed_by_id)
        raise Conflict(N_("该事项已由%(holder)s认领，只有认领人可以办理。如需接手，请对方释放或转交给您。",
                          holder=holder.name if holder else N_("他人")))
    return row


def task_form(session: Session, row: OpenTask, version: ProcessVersion | None = None) -> dict:
    """The form schema of an open task, from `version` (its instance's, as `open_task_for` gives it) when known."""
    if not row.form_path:
        return {}
    if version is None:
        version_id = session.scalar(select(Instance.version_id).where(Instance.id == row.instance_id))
        version = definitions.version_by_id(session, version_id)
    return version.forms.get(row.form_path, {})


def start_form(session: Session, process_key: str | ProcessVersion) -> dict:
    """The start event's form of a process's latest version (or of the version given)."""
    version = (process_key if isinstance(process_key, ProcessVersion)
               else definitions.latest_version(session, process_key))
    spec, _subs = definitions.specs(session, version)
    start = spec.task_specs[spec.start.outputs[0].name]
    path = (start.extensions or {}).get("properties", {}).get("formJsonSchemaFilename")
    return version.forms.get(path or "", {})


def due_date_key(session: Session, row: OpenTask, instance: Instance) -> str | None:
    """The data field the task's deadline is read from (its dueDate names a field), or None."""
    spec, _subs = definitions.specs(session, definitions.version_by_id(session, instance.version_id))
    task_spec = spec.task_specs.get(row.bpmn_id)
    source = ((getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}).get("dueDate", "")
    return source.strip() if source.strip().isidentifier() else None
