"""提案办理 → the `proposals` table that lists, statistics and disclosure read."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import clock, workdays
from ..records.proposal import Proposal, ProposalCosigner

PROCESS_KEYS = ("proposal",)

# Where the proposal stands, by the furthest step that is open (first match wins).
OPEN_STATUS = [
    ("archive", "待归档"), ("satisfaction_again", "待再次评价"), ("rehandle", "重新办理中"),
    ("satisfaction", "待评价"), ("satisfaction_merged", "待评价"), ("handle", "办理中"), ("co_opinion", "会办中"),
    ("accept", "待签收"), ("assign", "待交办"), ("wait_main_reply", "已并案"), ("review", "待审查"),
    ("cosign", "待联名确认"),
]
END_STATUS = {"end_rejected": "不予立案", "end_archived": "已办结", "end_merged": "已办结（并案）"}


def _status(workflow) -> str:
    if workflow.is_completed():
        for task in workflow.get_tasks(state=TaskState.COMPLETED):
            if task.task_spec.bpmn_id in END_STATUS:
                return END_STATUS[task.task_spec.bpmn_id]
        return "已办结"
    live = {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    for bpmn_id, status in OPEN_STATUS:
        if bpmn_id in live:
            return status
    return "办理中"


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    values = {
        "status": _status(workflow),
        "decision": data.get("decision"), "reason": data.get("reason"), "is_key": bool(data.get("is_key")),
        "face_to_face": bool(data.get("face_to_face")), "merge_into": data.get("merge_into"),
        "lead_unit_code": data.get("lead_unit"), "co_units": list(data.get("co_units") or []),
        "result_class": data.get("result_class"), "reply_text": data.get("reply_text"),
        "satisfaction": data.get("satisfaction"),
        "publish_proposal": bool(data.get("publish_proposal")), "publish_reply": bool(data.get("publish_reply")),
    }
    if kind == "start":
        proposal = Proposal(
            instance_id=instance.id, number=instance.business_key, title=data.get("title", ""),
            category=data.get("category", ""), content=data.get("content", ""),
            suggestion=data.get("suggestion", ""), proposer_id=actor.id, cosigners=list(data.get("cosigners") or []),
            submitted_at=now, **values)
        proposal.signers = [ProposalCosigner(username=name) for name in proposal.cosigners]
        session.add(proposal)
        return
    if data.get("cosign_results") and kind == "complete":
        _record_cosign_answers(session, instance, data["cosign_results"])
    if data.get("assigned_at"):
        values["assigned_at"] = workdays.parse(data["assigned_at"])
    if data.get("reply_text"):
        values["replied_at"] = func.coalesce(Proposal.replied_at, now)  # keep the first reply's time
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(Proposal).where(Proposal.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))


def _record_cosign_answers(session: Session, instance, results: list) -> None:
    proposal_id = select(Proposal.id).where(Proposal.instance_id == instance.id).scalar_subquery()
    for answer in results:
        if isinstance(answer, dict) and answer.get("user"):
            session.execute(update(ProposalCosigner).where(
                ProposalCosigner.proposal_id == proposal_id, ProposalCosigner.username == answer["user"],
                ProposalCosigner.status == "invited").values(status="agreed" if answer.get("agree") else "declined")
                .execution_options(synchronize_session=False))
