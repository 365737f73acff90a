"""Where a case stands, read from its diagram: the status label (`statusLabel`) of its furthest open step.

A step of the diagram (user task, catch event, call activity) may carry two `spiffworkflow:property` entries:
`statusLabel`, what lists show while the step is open (e.g. 待审查), and `statusOrder`, its position along the flow
(an integer; the higher, the further). When several labelled steps are open at once the one with the highest order
wins; equal orders keep the first open step. An open call activity shows its called diagram's open label, after its
own `statusPrefix` (e.g. 成果), or its own label when the called diagram has none open. A completed workflow shows the
label of the end event it reached. Owners change all of this in the modeler; no procedure keeps a table of its own.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.util.task import TaskState

LABEL, ORDER, PREFIX = "statusLabel", "statusOrder", "statusPrefix"
OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def properties(task_spec) -> dict:
    return (getattr(task_spec, "extensions", None) or {}).get("properties") or {}


def order(props: dict) -> int:
    try:
        return int(str(props.get(ORDER, "")).strip() or 0)
    except ValueError:
        return 0


def of(workflow, *, open_default: str = "办理中", done_default: str = "已办结") -> str:
    """The status of a workflow (the top one or a called diagram's): its open label, the label of the end it
    reached, or the defaults when no step says."""
    if workflow.is_completed():
        return done_label(workflow) or done_default
    found = open_label(workflow)
    return found[1] if found is not None else open_default


def done_label(workflow) -> str | None:
    ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)
            if t.workflow is workflow and properties(t.task_spec).get(LABEL)]
    latest = max(ends, key=lambda t: t.last_state_change, default=None)
    return properties(latest.task_spec)[LABEL] if latest is not None else None


def open_label(workflow) -> tuple[int, str] | None:
    """(order, label) of the furthest labelled open step of `workflow`, looking into open call activities."""
    best: tuple[int, str] | None = None
    top = getattr(workflow, "top_workflow", None) or workflow
    for task in workflow.get_tasks(state=OPEN):
        if task.workflow is not workflow:
            continue
        props = properties(task.task_spec)
        label = props.get(LABEL)
        if isinstance(task.task_spec, SubWorkflowTask):
            sub = top.subprocesses.get(task.id)
            inner = open_label(sub) if sub is not None and not sub.is_completed() else None
            label = (props.get(PREFIX) or "") + inner[1] if inner is not None else label
        elif task.state == TaskState.STARTED:
            continue
        if label and (best is None or order(props) > best[0]):
            best = (order(props), label)
    return best
