"""Workflow state in and out of its JSON form, with the restricted script engine re-attached on every load."""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins import UserTaskMixin
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from . import scripting

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
VERSION = SERIALIZER.VERSION
_ENGINE = scripting.script_engine()  # stateless, shared


def new_workflow(spec, subprocess_specs) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=_ENGINE)


def load(serialized: str) -> BpmnWorkflow:
    workflow = SERIALIZER.deserialize_json(serialized)
    attach(workflow)
    return workflow


def attach(workflow: BpmnWorkflow) -> None:
    # The script engine is not serialized; without this the default eval/exec engine would run.
    # Subprocesses ask the top workflow for theirs.
    workflow.script_engine = _ENGINE


def dump(workflow: BpmnWorkflow) -> str:
    return SERIALIZER.serialize_json(workflow)


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, spec_class=UserTaskMixin)


def current_data(workflow: BpmnWorkflow, base: dict | None = None) -> dict:
    """The data as it stands now: the finished workflow's data, or the live tasks' data merged oldest first."""
    if workflow.is_completed():
        return dict(workflow.data)
    data = dict(base or {})
    live = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    for task in sorted(live, key=lambda t: t.last_state_change):
        data.update(task.data)
    return data
