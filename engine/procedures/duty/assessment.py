"""年度履职考核 → `duty_assessments`; the office's 汇总 step saves the member's duty record as computed then."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import status
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.models import User
from engine.procedures.supervision.records import DutyAssessment

PROCESS_KEYS = ("duty_assessment",)
FACTS = Requires(PROCESS_KEYS, N_("年度履职考核记录"),  # reads no step by id: only the data its forms fill
                 data=("member", "year", "self_report", "grade", "assess_comment", "compile_note"))
# Who was told of the result and never answered: the office went on without them at the 催报 step (未反馈).
NOTICES = (("org_notice", "组织部"), ("uf_notice", "统战部"), ("unit_notice", "所在单位"))


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    from engine.procedures.duty import report as duty  # duty reads the records tables; imported here to keep projections importable first

    now = clock.now()
    if kind == "start":
        user_id = session.scalar(select(User.id).where(User.username == data.get("member")))
        session.add(DutyAssessment(instance_id=instance.id, user_id=user_id, year=int(data.get("year") or now.year),
                                   status=status.of(workflow, open_default="进行中"), record={}))
        return
    values = {"status": status.of(workflow, open_default="进行中"), "self_report": data.get("self_report"),
              "grade": data.get("grade"), "comment": data.get("assess_comment"),
              "unacknowledged": [name for key, name in NOTICES if data.get(key) == "未反馈"]}
    if data.get("compile_note") and not session.scalar(select(DutyAssessment.record).where(
            DutyAssessment.instance_id == instance.id)):
        row = session.scalars(select(DutyAssessment).where(DutyAssessment.instance_id == instance.id)).one()
        values["record"] = duty.record_for(session, row.user_id, row.year).as_dict()
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(DutyAssessment).where(DutyAssessment.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
