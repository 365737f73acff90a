"""任务分工督查 → the `division_tasks` table the supervision board reads."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import update
from sqlalchemy.orm import Session

from .. import clock
from ..records.supervision import DivisionTask

PROCESS_KEYS = ("division_task",)
OPEN_STATUS = [("accept", "待督查验收"), ("report", "牵头单位报告中"), ("contribute", "参加单位报送中")]


def _status(workflow) -> str:
    if workflow.is_completed():
        return "已办结"
    live = {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    return next((status for bpmn_id, status in OPEN_STATUS if bpmn_id in live), "落实中")


def _sent_back(workflow) -> int:
    return sum(1 for t in workflow.get_tasks(state=TaskState.COMPLETED)
               if t.task_spec.bpmn_id == "accept" and t.data.get("decision") == "退回整改")


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    if kind == "start":
        session.add(DivisionTask(
            instance_id=instance.id, item_no=data.get("item_no", ""), title=data.get("title", ""),
            lead_units=list(data.get("lead_units") or []), participating_units=list(data.get("participating_units") or []),
            deadline=data.get("deadline"), status=_status(workflow), started_at=now))
        return
    values = {"status": _status(workflow), "rounds": _sent_back(workflow), "opinion": data.get("opinion")}
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(DivisionTask).where(DivisionTask.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
