"""视察与调研 → `inspections`; team members' fieldwork and, once the final report is out, their authorship →
`participations` (五个一: activities, and the per-term 调研视察报告)."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import status
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.procedures.supervision.records import Inspection
from engine.procedures.supervision.appraisal import participations
from engine.procedures.supervision.sheqing import with_caller_data

PROCESS_KEYS = ("inspection",)
FACTS = Requires(PROCESS_KEYS, N_("视察调研记录"),
                 steps={"fieldwork": N_("调研组成员参加视察调研（五个一）"), "finalize": N_("审定的报告、调研视察报告署名")},
                 data=("title", "kind", "source", "approval", "final_report", "team_member", "attended"))
FIELDWORK, FINALIZE = FACTS.each("fieldwork", "finalize")


def _finalized(workflow) -> bool:
    return any(t.task_spec.bpmn_id == FINALIZE for t in workflow.get_tasks(state=TaskState.COMPLETED))


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    data = with_caller_data(workflow, data)
    if kind == "start":
        session.add(Inspection(instance_id=instance.id, number=instance.business_key, title=data.get("title", ""),
                               kind=data.get("kind") or "调研", source=data.get("source") or "政协自选",
                               status=status.of(workflow, open_default="进行中"), started_at=now))
        return
    finalized = _finalized(workflow)
    values = {"status": status.of(workflow, open_default="进行中"), "title": data.get("title") or "",
              "approval": data.get("approval"), "final_report": data.get("final_report") if finalized else None}
    if finalized:
        values["reported_at"] = now
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(Inspection).where(Inspection.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
    title = f"{data.get('kind') or '调研'}：{data.get('title') or ''}"
    participations(session, instance, workflow, FIELDWORK, title, authored=finalized)
