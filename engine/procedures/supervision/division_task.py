"""任务分工督查 → the `division_tasks` table the supervision board reads."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import status
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.procedures.supervision.records import DivisionTask

PROCESS_KEYS = ("division_task",)
FACTS = Requires(PROCESS_KEYS, N_("任务分工督查记录"), steps={"accept": N_("退回整改次数")},
                 data=("item_no", "title", "lead_units", "participating_units", "deadline", "decision", "opinion"))
ACCEPT = FACTS.step("accept")


def _sent_back(workflow) -> int:
    return sum(1 for t in workflow.get_tasks(state=TaskState.COMPLETED)
               if t.task_spec.bpmn_id == ACCEPT and t.data.get("decision") == "退回整改")


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    if kind == "start":
        session.add(DivisionTask(
            instance_id=instance.id, item_no=data.get("item_no", ""), title=data.get("title", ""),
            lead_units=list(data.get("lead_units") or []), participating_units=list(data.get("participating_units") or []),
            deadline=data.get("deadline"), status=status.of(workflow, open_default="落实中"), started_at=now))
        return
    values = {"status": status.of(workflow, open_default="落实中"), "rounds": _sent_back(workflow),
              "opinion": data.get("opinion")}
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(DivisionTask).where(DivisionTask.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
