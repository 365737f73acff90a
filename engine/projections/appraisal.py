"""民主评议 → `appraisals`, and each team member's part in it → `participations` (五个一: activities)."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import clock
from ..models import User
from ..records.supervision import Appraisal, Participation
from .sheqing import OPEN_STATUS as OUTCOME_STATUS, with_caller_data

PROCESS_KEYS = ("appraisal",)
OPEN_STATUS = [("review", "审核整改报告"), ("rectify", "整改中"), ("meeting", "待召开评议会议"),
               ("research", "调研视察中"), ("plan", "制定评议方案")]


def status(workflow, steps: list[tuple[str, str]], done: str) -> str:
    if workflow.is_completed():
        return done
    live = {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    for bpmn_id, text in OUTCOME_STATUS[:-2]:  # inside the called 协商成果 diagram
        if bpmn_id in live:
            return "成果" + text
    return next((text for bpmn_id, text in steps if bpmn_id in live), "进行中")


def participations(session: Session, instance, workflow, bpmn_id: str, title: str, authored: bool = False) -> None:
    """Upsert one row per team member who answered the multi-instance step `bpmn_id`."""
    answers = {t.data["team_member"]: bool(t.data.get("attended")) for t in workflow.get_tasks(state=TaskState.COMPLETED)
               if t.task_spec.bpmn_id == bpmn_id and "team_member" in t.data}
    if not answers:
        return
    ids = dict(session.execute(select(User.username, User.id).where(User.username.in_(list(answers)))).all())
    known = {row.user_id: row for row in session.scalars(
        select(Participation).where(Participation.instance_id == instance.id))}
    now = clock.now()
    for username, attended in answers.items():
        user_id = ids.get(username)
        if user_id is None:
            continue
        row = known.get(user_id)
        if row is None:
            session.add(Participation(instance_id=instance.id, process_key=instance.process_key, user_id=user_id,
                                      title=title[:300], year=now.year, attended=attended, at=now,
                                      report_author=authored and attended))
        else:
            row.attended, row.report_author = attended, authored and attended


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    data = with_caller_data(workflow, data)
    if kind == "start":
        session.add(Appraisal(instance_id=instance.id, number=instance.business_key, subject=data.get("subject", ""),
                              target_unit=data.get("target_unit"), status=status(workflow, OPEN_STATUS, "评议完成"),
                              started_at=now))
        return
    values = {"status": status(workflow, OPEN_STATUS, "评议完成"), "rating": data.get("rating"),
              "report": data.get("report"), "rectification": data.get("rectification")}
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(Appraisal).where(Appraisal.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
    participations(session, instance, workflow, "research", "民主评议：" + str(data.get("subject") or ""))
