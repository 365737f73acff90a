"""视察与调研 → `inspections`; team members' fieldwork and, once the final report is out, their authorship →
`participations` (五个一: activities, and the per-term 调研视察报告)."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import update
from sqlalchemy.orm import Session

from .. import clock
from ..records.supervision import Inspection
from .appraisal import participations, status
from .sheqing import with_caller_data

PROCESS_KEYS = ("inspection",)
OPEN_STATUS = [("finalize", "待审定报告"), ("expert_review", "专家论证"), ("draft", "起草报告"),
               ("fieldwork", "视察调研中"), ("build_team", "组建视察调研组"), ("revise", "修改课题"),
               ("approve", "待主席会议审定"), ("consult_county", "会商中"), ("consult_gov", "会商中")]


def _finalized(workflow) -> bool:
    return any(t.task_spec.bpmn_id == "finalize" for t in workflow.get_tasks(state=TaskState.COMPLETED))


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    data = with_caller_data(workflow, data)
    done = "不予立项" if data.get("approval") == "不予立项" else "已办结"
    if kind == "start":
        session.add(Inspection(instance_id=instance.id, number=instance.business_key, title=data.get("title", ""),
                               kind=data.get("kind") or "调研", source=data.get("source") or "政协自选",
                               status=status(workflow, OPEN_STATUS, done), started_at=now))
        return
    finalized = _finalized(workflow)
    values = {"status": status(workflow, OPEN_STATUS, done), "title": data.get("title") or "",
              "approval": data.get("approval"), "final_report": data.get("final_report") if finalized else None}
    if finalized:
        values["reported_at"] = now
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(Inspection).where(Inspection.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
    title = f"{data.get('kind') or '调研'}：{data.get('title') or ''}"
    participations(session, instance, workflow, "fieldwork", title, authored=finalized)
