"""Turning a READY user task into its inbox row: who may act, which form, when it is due."""
from __future__ import annotations

from engine.definitions import scripting
from engine.calendar import workdays
from engine import clock
from engine.errors import ScriptRefused, XieshangError
from engine.models import Instance, OpenTask, ProcessVersion
from engine.i18n import N_



class ProcessFault(XieshangError):
    """The diagram cannot go on with this data: a process owner must look at it; nothing was saved."""

    status = 500


def properties(task) -> dict[str, str]:
    return (task.task_spec.extensions or {}).get("properties", {}) or {}


def _evaluate(task, source: str):
    try:
        return scripting.evaluate(source, task.data)
    except ScriptRefused:
        raise
    except Exception as err:  # noqa: BLE001 - any failure of the diagram's own expression
        raise ProcessFault(N_("步骤“%(bpmn_name)s”的表达式 %(source)s 无法计算（%(err)s）。请联系流程管理员。",
                              bpmn_name=task.task_spec.bpmn_name, source=source, err=err)) from err


def due_at(task):
    props = properties(task)
    if props.get("dueDate"):
        value = _evaluate(task, props["dueDate"])
        return workdays.parse(value) if value else None
    if props.get("dueWorkingDays", "").strip().isdigit():
        return workdays.add_working_days(clock.now(), int(props["dueWorkingDays"]), task=str(task.id))
    return None


def open_task_row(task, instance: Instance, version: ProcessVersion) -> dict:
    spec, props = task.task_spec, properties(task)
    candidate_user = _evaluate(task, props["candidateUser"]) if props.get("candidateUser") else None
    candidate_unit = _evaluate(task, props["candidateUnit"]) if props.get("candidateUnit") else None
    return {
        "id": str(task.id), "instance_id": instance.id, "process_key": version.process_key,
        "process_name": version.name, "bpmn_id": spec.bpmn_id, "name": spec.bpmn_name or spec.bpmn_id,
        "lane": spec.lane, "role_key": version.lane_roles.get(spec.lane or ""),
        "candidate_user": str(candidate_user) if candidate_user else None,
        "candidate_unit": str(candidate_unit) if candidate_unit else None,
        "form_path": props.get("formJsonSchemaFilename"),
        "instructions": (spec.extensions or {}).get("instructionsForEndUser"),
        "title": instance.title, "business_key": instance.business_key, "created_at": clock.now(),
        "due_at": due_at(task),
    }


def eligible(user, row: OpenTask) -> bool:
    """The lane's role, plus the data-driven candidate when the diagram names one (claims aside)."""
    if row.role_key is None or not user.has_role(row.role_key):
        return False
    if row.candidate_user and user.username != row.candidate_user:
        return False
    if row.candidate_unit:
        return user.unit is not None and user.unit.code == row.candidate_unit
    return True


def may_act(user, row: OpenTask) -> bool:
    """Eligible, and the task is not claimed by (or delegated to) someone else."""
    return eligible(user, row) and (row.claimed_by_id is None or row.claimed_by_id == user.id)
