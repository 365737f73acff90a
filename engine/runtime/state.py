"""Workflow state in and out of its JSON form, with the restricted script engine re-attached on every load.

The saved state leaves out the parsed diagram SpiffWorkflow would embed in it (three quarters of its size and of
the time to load it): the instance's process version is immutable and its parsed spec is cached per process by
`definitions.specs`, so `load` takes that spec and reattaches it. States saved with their spec still load.
"""
from __future__ import annotations

from contextvars import ContextVar
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.mixins import UserTaskMixin
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.definitions import scripting

_LOADING: ContextVar[tuple | None] = ContextVar("xieshang_loading_specs", default=None)
SPEC_REF = "spec_ref"


class SpecByReference(BpmnWorkflowConverter):
    """Writes the top spec's name instead of the specs; on load, reattaches the specs handed to `load`."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct[SPEC_REF] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        if "spec" in dct:  # saved with its spec embedded
            return super().from_dict(dct)
        specs = _LOADING.get()
        if specs is None:
            raise ValueError("流程状态未包含流程定义，加载时必须提供流程版本。")
        spec, subprocess_specs = specs
        ref = dct.pop(SPEC_REF)
        if ref != spec.name:
            raise ValueError(f"流程状态属于“{ref}”，与所给流程版本“{spec.name}”不符。")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: SpecByReference}))
VERSION = SERIALIZER.VERSION
_ENGINE = scripting.script_engine()  # stateless, shared


def new_workflow(spec, subprocess_specs) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=_ENGINE)


def load(serialized: str, specs: tuple) -> BpmnWorkflow:
    """The workflow saved in `serialized`, running on `specs` = definitions.specs(session, its version)."""
    token = _LOADING.set(specs)
    try:
        workflow = SERIALIZER.deserialize_json(serialized)
    finally:
        _LOADING.reset(token)
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
