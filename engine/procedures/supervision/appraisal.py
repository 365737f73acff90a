"""民主评议 → `appraisals`, and each team member's part in it → `participations` (五个一: activities)."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import status
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.models import User
from engine.procedures.supervision.records import Appraisal, Participation
from engine.procedures.supervision.sheqing import with_caller_data

PROCESS_KEYS = ("appraisal",)
FACTS = Requires(PROCESS_KEYS, N_("民主评议记录"), steps={"research": N_("评议组成员参加调研视察（五个一）")},
                 data=("subject", "target_unit", "rating", "report", "rectification", "team_member", "attended"))
RESEARCH = FACTS.step("research")


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
                              target_unit=data.get("target_unit"), status=status.of(workflow, open_default="进行中"),
                              started_at=now))
        return
    values = {"status": status.of(workflow, open_default="进行中"), "rating": data.get("rating"),
              "report": data.get("report"), "rectification": data.get("rectification")}
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(Appraisal).where(Appraisal.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
    participations(session, instance, workflow, RESEARCH, "民主评议：" + str(data.get("subject") or ""))
