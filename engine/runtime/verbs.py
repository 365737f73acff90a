"""The verbs that move an instance: start, complete a task, fire due timers, deliver messages.

Each verb loads what it needs, acts, and persists the instance, its inbox rows, its audit event and its domain
record in the caller's transaction; nothing here commits. A stale save (someone else moved the instance first)
becomes a Conflict and the caller's rollback leaves everything as it was.
"""
from __future__ import annotations

import logging
import uuid

from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from engine.runtime import audit, deadlines, messages, numbers, projections, state, status
from engine import clock, db, registry
from engine.definitions import deploy as definitions, forms
from engine.calendar import holidays, workdays
from engine.worklist import notifications
from engine.cases import references
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound, XieshangError
from engine.models import Event, Instance, OpenTask, ProcessVersion, User
from engine.runtime.tasks import ProcessFault, may_act, open_task_row
from engine.i18n import N_

log = logging.getLogger("xieshang.engine")
def _version(session: Session, version_id: int) -> ProcessVersion:
    return definitions.version_by_id(session, version_id)  # immutable rows, cached per process


def _step(workflow, fn, *args) -> None:
    """Run engine work, turning the engine's own errors into a sentence for the clerk."""
    try:
        fn(*args)
    except (SpiffWorkflowException, TypeError, ValueError, KeyError, NameError) as err:
        if isinstance(err, XieshangError):
            raise
        log.warning("engine error: %s", err)
        where = getattr(getattr(err, "task", None), "task_spec", None)
        reason = str(err).splitlines()[0]
        if where is not None:
            raise ProcessFault(N_("流程在“%(step)s”无法继续：%(reason)s。本次操作未保存，请联系流程管理员。",
                                  step=where.bpmn_name or where.bpmn_id, reason=reason)) from err
        raise ProcessFault(N_("流程无法继续：%(reason)s。本次操作未保存，请联系流程管理员。", reason=reason)) from err


def _next_business_key(session: Session, process_key: str) -> str:
    """The new instance's number: its procedure's (a proposal's in its session), else the next of the year."""
    return numbers.business_key(session, process_key)


def start_instance(session: Session, actor: User | None, process_key: str, data: dict, *,
                   system: bool = False) -> Instance:
    """Start the latest version. `system=True` is for starts the office scheduled (no lane-role check)."""
    _begin(session)
    version = definitions.latest_version(session, process_key)
    if not system and (actor is None or not definitions.may_start(session, actor, version)):
        raise Forbidden(N_("您没有发起“%(name)s”的权限。", name=version.name))
    spec, subprocess_specs = definitions.specs(session, version)
    start_spec = spec.task_specs[spec.start.outputs[0].name]
    schema = version.forms.get((start_spec.extensions or {}).get("properties", {}).get("formJsonSchemaFilename", ""))
    clean = forms.validate(schema, data) if schema else {}
    if actor is not None:
        references.check(session, schema, clean, actor)
    for check in registry.get().start_checks.get(process_key, ()) if actor is not None and not system else ():
        problems = check(actor, clean)
        if problems:
            raise FormInvalid(problems)

    instance = Instance(version_id=version.id, process_key=version.process_key,
                        started_by_id=actor.id if actor else None,
                        title=str(clean.get("title") or version.name)[:300], state="",
                        serializer_version=state.VERSION, status="running")
    instance.business_key = _next_business_key(session, process_key)
    session.add(instance)
    session.flush()
    workflow = state.new_workflow(spec, subprocess_specs)
    start_task = workflow.get_tasks(state=TaskState.READY)[0]
    starter = {"started_by": actor.username} if actor else {}
    for make in registry.get().start_data.get(process_key, ()) if actor else ():
        starter.update(make(actor))  # what a procedure's diagrams call the starter (a proposal's `proposer`)
    start_task.data.update(clean, number=instance.business_key, **starter)
    _step(workflow, workflow.do_engine_steps)
    _persist(session, instance, version, workflow, before=set(), actor=actor, kind="start", data=clean,
             spec=start_spec)
    return instance


def _open_task_or_raise(session: Session, actor: User, task_id: str) -> tuple[OpenTask, Instance]:
    """The open task and its instance (with its state) in one query, fresh from the database (rows go by bulk
    DELETE, and a retry must see what another worker just saved)."""
    found = session.execute(select(OpenTask, Instance).join(Instance, Instance.id == OpenTask.instance_id)
                            .where(OpenTask.id == task_id).options(undefer(Instance.state))
                            .execution_options(populate_existing=True)).first()
    if found is None:
        done = session.scalar(select(Event).where(Event.task_id == task_id, Event.kind == "complete").limit(1))
        if done is not None:
            who = done.actor.name if done.actor else "他人"
            raise Conflict(N_("该任务已由%(who)s于 %(value)s 办理，无需再办。",
                              who=who, value=format(done.at.astimezone(clock.TZ), '%Y-%m-%d %H:%M')))
        raise NotFound(N_("找不到该待办事项，可能已被办理或已关闭。"))
    row, instance = found
    if not may_act(actor, row):
        log.info("refused: %s may not act on task %s", actor.username, task_id)
        raise NotFound(N_("找不到该待办事项，或您无权办理。"))
    return row, instance


def complete_task(session: Session, actor: User, task_id: str, data: dict, *,
                  opened: tuple[OpenTask, Instance] | None = None) -> Instance:
    """Read and compute first, then take the write lock for the writes alone (db.take_write_lock). If the instance
    moved in between (another step of it was completed), do it again under the lock, from what is saved now.
    `opened` is the task and its instance (with its state) as the caller just read and checked them for `actor`
    (inbox.open_task_to_complete), to save reading them twice."""
    try:
        return _complete(session, actor, task_id, data, opened)
    except StaleInstance:
        log.info("instance of task %s moved while it was being completed; again under the write lock", task_id)
        return _complete(session, actor, task_id, data, None)


def _complete(session: Session, actor: User, task_id: str, data: dict,
              opened: tuple[OpenTask, Instance] | None) -> Instance:
    _begin(session)
    row, instance = opened if opened is not None else _open_task_or_raise(session, actor, task_id)
    version = _version(session, instance.version_id)
    schema = version.forms.get(row.form_path or "")
    clean = forms.validate(schema, data)
    references.check(session, schema, clean, actor, instance)
    workflow = _load(session, instance.state, version)
    task = workflow.get_task_from_id(uuid.UUID(task_id))
    if task is None or task.state != TaskState.READY:
        raise Conflict(N_("该任务已被他人办理或已关闭。"))
    before = {str(t.id) for t in state.ready_user_tasks(workflow)}
    task.data.update(clean)
    _step(workflow, task.run)
    base = dict(task.data)
    _step(workflow, workflow.do_engine_steps)
    db.take_write_lock(session)
    _persist(session, instance, version, workflow, before=before, actor=actor, kind="complete", data=clean,
             task=task, base=base)
    notifications.on_completed(session, row, actor)
    return instance


def fire_due_timers(session: Session, limit: int = 500) -> int:
    """Advance every running instance whose next timer is due; returns how many moved."""
    due = session.scalars(select(Instance).where(Instance.status == "running", Instance.next_timer_at <= clock.now())
                          .options(undefer(Instance.state)).order_by(Instance.next_timer_at).limit(limit)).all()
    moved = 0
    for instance in due:
        _begin(session)
        try:
            with session.begin_nested():
                version = _version(session, instance.version_id)
                workflow = _load(session, instance.state, version)
                before = {str(t.id) for t in state.ready_user_tasks(workflow)}
                with clock.firing():  # due at this instant is due (`<=`, as the query above)
                    workflow.refresh_timers()
                    _step(workflow, workflow.do_engine_steps)
                _persist(session, instance, version, workflow, before=before, actor=None, kind="timer")
            moved += 1
        except StaleInstance:  # someone completed a step of it meanwhile: the next tick fires it
            log.info("instance %s moved while its timer fired; left for the next tick", instance.id)
        except XieshangError as err:  # one broken instance must not hold up everyone else's timers
            log.error("timer of instance %s failed: %s", instance.id, err.message)
            instance.status, instance.error = "error", err.message
        except Exception:  # noqa: BLE001 - nor may an instance whose saved state no longer loads
            log.exception("timer of instance %s failed", instance.id)
            instance.status, instance.error = "error", N_("到期自动推进时出错，该事项已暂停，请系统管理员查看日志。")
    return moved


def _begin(session: Session) -> None:
    """Before a verb: count working days with the calendar as it now is, noting each deadline this step counts."""
    holidays.refresh(session)
    workdays.drain()


def instance_data(session: Session, instance: Instance) -> dict:
    serialized = session.scalar(select(Instance.state).where(Instance.id == instance.id))
    return state.current_data(_load(session, serialized, _version(session, instance.version_id)))


def task_data(session: Session, instance_id: int, version_id: int, task_id: str) -> dict:
    """The data an open task sees (what its form may show prefilled): its own copy of the case's data, so that
    one branch of a parallel step never shows another branch's answers; {} if the task is no longer there."""
    serialized = session.scalar(select(Instance.state).where(Instance.id == instance_id))
    if not serialized:
        return {}
    try:
        task = _load(session, serialized, _version(session, version_id)).get_task_from_id(uuid.UUID(task_id))
    except (ValueError, TaskNotFoundException):
        return {}
    return dict(task.data) if task is not None else {}


def _load(session: Session, serialized: str, version: ProcessVersion):
    return state.load(serialized, definitions.specs(session, version))


def save(session: Session, instance: Instance, version: ProcessVersion, workflow, actor: User | None, kind: str,
         data: dict | None = None) -> None:
    """Persist a workflow changed outside the verbs above (e.g. moved to another version): the instance now runs
    on `version`, its inbox rows are rebuilt from scratch, and one audit event of `kind` is written."""
    session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id).execution_options(synchronize_session=False))
    instance.version_id = version.id
    _persist(session, instance, version, workflow, before=set(), actor=actor, kind=kind, data=data)


def _persist(session: Session, instance: Instance, version: ProcessVersion, workflow, *, before: set[str],
             actor: User | None, kind: str, data: dict | None = None, task=None, base: dict | None = None,
             depth: int = 0, spec=None) -> None:
    now = clock.now()
    ready = {str(t.id): t for t in state.ready_user_tasks(workflow)}
    rows = [open_task_row(t, instance, version) for tid, t in ready.items() if tid not in before]
    kept, calendars = deadlines.note(instance, rows, workdays.drain())
    gone = before - set(ready)
    current = state.current_data(workflow, base)
    values = {"state": state.dump(workflow), "updated_at": now, "next_timer_at": messages.next_timer(workflow),
              "is_key": bool(current.get("is_key")), "status_label": status.of(workflow)[:60]}
    if kept is not None:
        values["workday_deadlines"] = kept
    if workflow.is_completed():
        values.update(status="completed", completed_at=now)
    if calendars:  # the case history says which year's holidays each deadline of this step was counted by
        data = {**(data or {}), "_calendar": calendars}
    event = audit.record(session, instance, kind, actor, task=task, data=data, spec=spec)
    try:
        if inspect(instance).persistent:
            _save_instance(session, instance, {**values, "audit_head": instance.audit_head}, event, retry=not depth)
        else:
            for key, value in values.items():
                setattr(instance, key, value)
        session.flush()
        if gone:
            session.execute(delete(OpenTask).where(OpenTask.id.in_(gone)).execution_options(synchronize_session=False))
        if rows:
            session.execute(insert(OpenTask), rows)
            notifications.on_new_tasks(session, rows)
        projections.apply(session, instance, workflow, current, kind=kind, actor=actor)
        new_waits = messages.sync_waits(session, instance, workflow)
        session.flush()
    except StaleDataError as err:
        raise Conflict(N_("该事项刚刚已被他人处理，您的提交未保存。请刷新后查看最新状态。")) from err
    except OperationalError as err:
        if "locked" not in str(err):
            raise
        raise Conflict(N_("系统正忙，您的提交未保存，请稍后再试。")) from err
    receive = lambda s, target, event: _receive(s, target, event, depth + 1)  # noqa: E731
    messages.deliver(session, instance, workflow.get_events(), receive, depth)
    if new_waits and depth < messages.MAX_DEPTH:
        messages.replay(session, instance, workflow, new_waits, receive)


class StaleInstance(Conflict):
    """The instance was saved by someone else since it was read; nothing of this save was written."""

    def __init__(self) -> None:
        super().__init__("该事项刚刚已被他人处理，您的提交未保存。请刷新后查看最新状态。")


def _save_instance(session: Session, instance: Instance, values: dict, event: Event, *, retry: bool) -> None:
    """Write the instance row first, guarded by the lock_version it was read with; the ORM's copy is then marked
    saved. A stale read of the instance acted on leaves nothing written (the audit event not yet flushed is taken
    back) and may be retried; one of an instance a message reached (`retry` false) comes after other writes."""
    read = instance.lock_version
    with session.no_autoflush:
        result = session.execute(update(Instance).where(Instance.id == instance.id, Instance.lock_version == read)
                                 .values(**values, lock_version=read + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        if not retry:
            raise Conflict(N_("该事项刚刚已被他人处理，您的提交未保存。请刷新后查看最新状态。"))
        session.expunge(event)
        session.expire(instance)  # drop the unsaved audit head, or the next autoflush would try to write it
        raise StaleInstance()
    for key, value in {**values, "lock_version": read + 1}.items():
        set_committed_value(instance, key, value)


def _receive(session: Session, instance: Instance, event, depth: int) -> None:
    """Hand a message thrown elsewhere to a waiting instance and persist it (called by messages.deliver)."""
    version = _version(session, instance.version_id)
    workflow = _load(session, session.scalar(select(Instance.state).where(Instance.id == instance.id)), version)
    before = {str(t.id) for t in state.ready_user_tasks(workflow)}
    _step(workflow, workflow.send_event, event)
    _step(workflow, workflow.do_engine_steps)
    _persist(session, instance, version, workflow, before=before, actor=None, kind="message",
             data={"message": event.event_definition.name}, depth=depth)


__all__ = ["start_instance", "complete_task", "fire_due_timers", "instance_data", "save", "may_act", "ProcessFault"]
