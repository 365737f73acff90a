"""Moving running instances to a newer version of their diagram (SpiffWorkflow's diff_workflow / migrate_workflow).

An instance can move when every step it has already reached still exists in the new version and the moved state
saves and loads again. Open steps are reset and re-entered on the new version, so their inbox rows are rebuilt (new
names, forms, deadlines, candidates) and timers waiting on them start again from the moment of migration.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.definitions import deploy as definitions
from engine.runtime import verbs as runtime, state, tasks
from engine.errors import NotFound, XieshangError
from engine.models import Instance, OpenTask, ProcessVersion, User
from engine.i18n import N_

_DEFINITE = TaskState.FINISHED_MASK | TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


@dataclass
class Candidate:
    instance_id: int
    business_key: str
    title: str
    from_version: int
    open_steps: list[str]
    reasons: list[str] = field(default_factory=list)  # why it cannot move (empty: it can)
    notes: list[str] = field(default_factory=list)  # what moving it will do

    @property
    def movable(self) -> bool:
        return not self.reasons


@dataclass
class Report:
    target: ProcessVersion
    moved: list[Candidate]
    refused: list[Candidate]


def preview(session: Session, process_key: str, target: ProcessVersion | None = None) -> list[Candidate]:
    """Every running instance of the process on an older version, with whether it can move and why not."""
    target = target or definitions.latest_version(session, process_key)
    return [_try(session, instance, target)[0] for instance in _running(session, process_key, target)]


def migrate(session: Session, process_key: str, actor: User, target: ProcessVersion | None = None,
            instance_ids: set[int] | None = None) -> Report:
    """Move the movable ones (all, or those in `instance_ids`) in the caller's transaction: state, inbox rows and
    an audit event each; the others are reported with their reasons and left as they are."""
    target = target or definitions.latest_version(session, process_key)
    moved, refused = [], []
    for instance in _running(session, process_key, target):
        if instance_ids is not None and instance.id not in instance_ids:
            continue
        candidate, workflow = _try(session, instance, target)
        if not candidate.movable:
            refused.append(candidate)
            continue
        try:
            with session.begin_nested():
                runtime.save(session, instance, target, workflow, actor, "migrate",
                             data={"from_version": candidate.from_version, "to_version": target.version})
        except XieshangError as err:
            candidate.reasons.append(err.message)
            refused.append(candidate)
            continue
        moved.append(candidate)
    return Report(target, moved, refused)


def target_version(session: Session, process_key: str, number: int | None) -> ProcessVersion:
    if number is None:
        return definitions.latest_version(session, process_key)
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == process_key,
                                                           ProcessVersion.version == number)).first()
    if version is None:
        raise NotFound(N_("流程 %(process_key)s 没有第 %(number)s 版。", process_key=process_key, number=number))
    return version


def _running(session: Session, process_key: str, target: ProcessVersion) -> list[Instance]:
    return list(session.scalars(
        select(Instance).join(ProcessVersion, ProcessVersion.id == Instance.version_id)
        .where(Instance.process_key == process_key, Instance.status == "running",
               ProcessVersion.version < target.version)
        .options(undefer(Instance.state)).order_by(Instance.id)))


def _open_steps(session: Session, instance: Instance) -> list[str]:
    return list(session.scalars(select(OpenTask.name).where(OpenTask.instance_id == instance.id)
                                .order_by(OpenTask.created_at)))


def _try(session: Session, instance: Instance, target: ProcessVersion):
    """(Candidate, migrated workflow or None): the move done on a loaded copy, checked by a save/load round trip."""
    old = session.get(ProcessVersion, instance.version_id)
    candidate = Candidate(instance.id, instance.business_key, instance.title, old.version,
                          _open_steps(session, instance))
    spec, subprocess_specs = definitions.specs(session, target)
    try:
        workflow = state.load(instance.state, definitions.specs(session, old))
        top, sub_diffs = diff_workflow(state.SERIALIZER.registry, workflow, spec, subprocess_specs)
    except (SpiffWorkflowException, KeyError, TypeError, ValueError) as err:
        candidate.reasons.append(f"无法比较新旧版本：{err}")
        return candidate, None
    for task in top.removed:
        if task.state & _DEFINITE:
            step = task.task_spec.bpmn_name or task.task_spec.bpmn_id
            where = "正在办理的" if task.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED) else "已经过的"
            candidate.reasons.append(f"{where}步骤“{step}”在第 {target.version} 版中已删除")
    for sp_id, sub in sub_diffs.items():
        if sub is None or any(t.state & _DEFINITE for t in sub.removed):
            candidate.reasons.append("正在进行的子流程在新版本中已删除或改动过大，无法迁移")
    if candidate.reasons:
        return candidate, None
    waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id]
    try:
        migrate_workflow(top, workflow, spec)
        for sp_id, sub in sub_diffs.items():
            subworkflow = workflow.subprocesses[sp_id]
            migrate_workflow(sub, subworkflow, subprocess_specs[subworkflow.spec.name])
        workflow.subprocess_specs = subprocess_specs
        state.attach(workflow)
        workflow.do_engine_steps()
        reloaded = state.load(state.dump(workflow), (spec, subprocess_specs))
        for ready in state.ready_user_tasks(reloaded):
            tasks.open_task_row(ready, instance, target)  # candidates and deadlines must still evaluate
    except (SpiffWorkflowException, XieshangError, KeyError, TypeError, ValueError, AttributeError) as err:
        message = err.message if isinstance(err, XieshangError) else str(err).splitlines()[0]
        candidate.reasons.append(f"迁移后的状态无法继续运行：{message}")
        return candidate, None
    if waiting:
        names = "、".join(dict.fromkeys(t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in waiting))
        candidate.notes.append(f"等待中的“{names}”将从迁移时起重新计时")
    candidate.notes.append("待办步骤将按新版本重新生成（名称、表单、期限以新版本为准）")
    return candidate, reloaded
