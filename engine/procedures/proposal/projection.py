"""提案办理 → the `proposals` table that lists, statistics and disclosure read.

同意延期: when 督办 completes 逾期督办 (raised by the boundary timer of 办理答复 / 重新办理答复) agreeing to extend the
deadline, the handling task it was raised for gets the new one (the end of the chosen day): its inbox row's due date,
the record's reply_due, and reminders of its own (those sent for the old deadline are forgotten). The diagram's
timer has fired already; the inbox and `xieshang tick` watch the new due date. The extension stays in the completed
reminder's data, so a rebuilt inbox row (a move to another version) gets it again.
"""
from __future__ import annotations

import datetime as dt

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin, BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins import UserTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import status
from engine.calendar import workdays
from engine.errors import FormInvalid
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.models import OpenTask, UTCDateTime
from engine.people import sessions
from engine.procedures.proposal import collective
from engine.procedures.proposal.records import Proposal, ProposalCosigner
from engine.worklist.records import ReminderSent

PROCESS_KEYS = ("proposal",)
FACTS = Requires(
    PROCESS_KEYS, N_("提案记录"),
    steps={"accept": N_("签收前的答复期限"), "co_opinion": N_("会办时的答复期限"),
           "handle": N_("答复期限、督办同意的延期"), "rehandle": N_("重新办理的答复期限、督办同意的延期"),
           "sign_off": N_("答复的签发人"), "revise": N_("面对面办理的见面记录"),
           "lead_meeting": N_("重点提案的领办会"), "oversight_review": N_("督办领导的审核"),
           "archive": N_("归档时间"), "followup_report": N_("B 类答复的回头看"), "satisfaction": N_("答复送达提案人的时间"),
           "satisfaction_again": N_("重新办理答复送达提案人的时间")},
    data=("title", "category", "content", "suggestion", "cosigners", "body", "authors", "author_self", "cosign_results", "decision", "reason",
          "is_key", "face_to_face", "merge_into", "lead_unit", "co_units", "assigned_at", "reply_due", "result_class",
          "reply_text", "satisfaction", "satisfaction_work", "contact_method", "publish_proposal", "publish_reply", "remind_action", "extended_due", "sign_decision",
          "lead_leader", "oversight_leader", "lead_meeting_date", "lead_meeting_units", "lead_meeting_proposer",
          "lead_meeting_note", "oversight_decision", "contact_date", "meeting_attendees",
          "followup_on", "followup_due", "followup_result", "followup_text",
          "return_deadline"))
HANDLING = FACTS.each("handle", "rehandle")  # the steps whose deadline is reply_due
BEFORE_HANDLING = FACTS.each("accept", "co_opinion")  # reply_due is set, handling has not begun
ACCEPTING = FACTS.step("accept")  # its deadline is the return window's end (accept_due)
ACCEPTED = FACTS.each("co_opinion", "handle")  # the first steps after 签收 (or 逾期视为签收)
REHANDLING = FACTS.step("rehandle")
SIGN_OFF = FACTS.step("sign_off")
RELEASED = FACTS.each("satisfaction", "satisfaction_again")  # the reply has reached the proposer
SIGNED = "签发"  # sign_decision of 单位负责人签发 that lets the reply go on
REPLYING = FACTS.each("handle", "rehandle", "revise")  # the steps that write the reply
OVERSIGHT = FACTS.step("oversight_review")
ARCHIVE = FACTS.step("archive")
FOLLOWUP = FACTS.step("followup_report")
FACE_TO_FACE = "面对面"
EXTEND = "同意延期"  # remind_action of 逾期督办 that moves the deadline to extended_due


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    live = [] if workflow.is_completed() else workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    values = {
        "status": status.of(workflow),
        "decision": data.get("decision"), "reason": data.get("reason"), "is_key": bool(data.get("is_key")),
        "face_to_face": bool(data.get("face_to_face")), "merge_into": data.get("merge_into"),
        "lead_unit_code": data.get("lead_unit"), "co_units": list(data.get("co_units") or []),
        "result_class": data.get("result_class"), "reply_text": data.get("reply_text"),
        "satisfaction": data.get("satisfaction"), "satisfaction_work": data.get("satisfaction_work"),
        "contact_method": data.get("contact_method"), "lead_leader": data.get("lead_leader") or None,
        "oversight_leader": data.get("oversight_leader") or None,
        "publish_proposal": bool(data.get("publish_proposal")), "publish_reply": bool(data.get("publish_reply")),
    }
    if kind == "start":
        body, authors = collective.check_start(session, actor, data)
        plenary = sessions.covering(session, now)
        proposal = Proposal(
            instance_id=instance.id, number=instance.business_key, title=data.get("title", ""),
            category=data.get("category", ""), content=data.get("content", ""),
            suggestion=data.get("suggestion", ""), proposer_id=actor.id, cosigners=list(data.get("cosigners") or []),
            body_code=body, session_id=plenary.id if plenary else None,
            period=plenary.period(now) if plenary else None, submitted_at=now, **values)
        proposal.signers = [ProposalCosigner(username=name) for name in proposal.cosigners] + [
            ProposalCosigner(username=name, status="author") for name in authors]
        session.add(proposal)
        return
    if data.get("cosign_results") and kind == "complete":
        _record_cosign_answers(session, instance, data["cosign_results"])
    if data.get("assigned_at"):
        values["assigned_at"] = workdays.parse(data["assigned_at"])
    values.update(_reply_due(session, workflow, live, data, kind=kind, now=now))
    values.update(_milestones(live, data, now, by_step=kind in ("complete", "timer")))
    done = _last_done(workflow) if kind == "complete" else None
    step = done.task_spec.bpmn_id if done is not None else None
    if kind == "complete":
        values.update(_signed(workflow, actor, now))
    values.update(_meetings(data))
    if workflow.is_completed() or (kind == "complete" and step == ARCHIVE):
        values["closed_at"] = func.coalesce(Proposal.closed_at, _moment(now))  # a B reply's 回头看 may follow
    if data.get("followup_due"):
        values["followup_due"] = workdays.parse(data["followup_due"])
    if kind == "complete" and step == FOLLOWUP:
        values.update(followup_result=data.get("followup_result"), followup_text=data.get("followup_text"),
                      followup_reported_at=now)
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


def _milestones(live: list, data: dict, now: dt.datetime, *, by_step: bool) -> dict:
    """What statistics read: the return window of the assignment waiting for 签收, when the unit accepted (the first
    step after it became ready: the unit's 签收, or the window's end, 逾期视为签收), when 重新办理 began. Each moment
    is kept once it is set, and only a step or a timer sets one (not a move to another version)."""
    ready = {t.task_spec.bpmn_id for t in live if t.state == TaskState.READY}
    values = {}
    if ACCEPTING in ready and data.get("return_deadline"):
        values["accept_due"] = workdays.parse(data["return_deadline"])
    if not by_step:
        return values
    if ready & set(ACCEPTED):
        values["accepted_at"] = func.coalesce(Proposal.accepted_at, _moment(now))
    if REHANDLING in ready:
        values["rehandled_at"] = func.coalesce(Proposal.rehandled_at, _moment(now))
    if ready & set(RELEASED):  # the reply reached the proposer: keep the first one's time and deadline
        values["replied_at"] = func.coalesce(Proposal.replied_at, _moment(now))
        values["first_reply_due"] = func.coalesce(Proposal.first_reply_due, Proposal.reply_due)  # the row's old value
    return values


def _moment(now: dt.datetime):
    """`now` as a bound value of the moment columns' type (stored as UTC on SQLite too, also inside COALESCE)."""
    return literal(now, UTCDateTime())


def _last_done(workflow):
    """The user task completed just now (the step this projection follows)."""
    done = workflow.get_tasks(state=TaskState.COMPLETED, spec_class=UserTaskMixin)
    return max(done, key=lambda t: t.last_state_change, default=None)


def _signed(workflow, actor, now: dt.datetime) -> dict:
    """The step just done: 签发 names its signer (the reply letter shows them); the 督办 leader's review agrees or
    sends the reply back; a reply to a proposal to be handled face to face (面对面办理) must say it met the proposer."""
    task = _last_done(workflow)
    step = task.task_spec.bpmn_id if task is not None else None
    if step == SIGN_OFF and task.data.get("sign_decision") == SIGNED:
        return {"signer_id": actor.id, "signed_at": now}
    if step == OVERSIGHT:
        if task.data.get("oversight_decision") == "同意":
            return {"oversight_reviewed_at": now}
        return {"oversight_returns": Proposal.oversight_returns + 1}
    if step in REPLYING and task.data.get("face_to_face") and task.data.get("contact_method") != FACE_TO_FACE:
        raise FormInvalid({"contact_method": "本提案确定为面对面办理，须与提案人当面沟通（请选择“面对面”并写明参加人员）"})
    return {}


def _meetings(data: dict) -> dict:
    """The meetings as recorded: the key proposal's 领办（面商）会 (recorded on its own branch, so kept once set) and
    the unit's face-to-face meeting with the proposer."""
    values = {}
    if data.get("lead_meeting_date"):
        values.update(lead_meeting_on=_day(data["lead_meeting_date"]),
                      lead_meeting_units=list(data.get("lead_meeting_units") or []),
                      lead_meeting_proposer=bool(data.get("lead_meeting_proposer")),
                      lead_meeting_note=data.get("lead_meeting_note"))
    if data.get("contact_date"):
        values["contact_date"] = _day(data["contact_date"])
        values["meeting_attendees"] = data.get("meeting_attendees") or None
    return values


# 答复期限 and 同意延期 ---------------------------------------------------------------------------------------------------
def _reply_due(session: Session, workflow, live: list, data: dict, *, kind: str, now: dt.datetime) -> dict:
    """The record's reply_due: the open handling task's deadline (extended or not), the coming one before handling
    begins, else left as it was (the last round's)."""
    if kind == "complete" and data.get("remind_action") == EXTEND:
        extended = _extend(session, workflow, now)
        if extended is not None:
            return {"reply_due": extended}
    handling = next((t for t in live if t.task_spec.bpmn_id in HANDLING and t.state == TaskState.READY), None)
    if handling is not None:
        granted = _granted(handling)
        if granted is None:
            return {"reply_due": workdays.parse(handling.data["reply_due"])} if handling.data.get("reply_due") else {}
        # The inbox row was built again from the diagram's deadline (a move to another version): the extension holds.
        session.execute(update(OpenTask).where(OpenTask.id == str(handling.id),
                                               or_(OpenTask.due_at.is_(None), OpenTask.due_at != granted))
                        .values(due_at=granted).execution_options(synchronize_session=False))
        return {"reply_due": granted}
    if data.get("reply_due") and any(t.task_spec.bpmn_id in BEFORE_HANDLING for t in live):
        return {"reply_due": workdays.parse(data["reply_due"])}
    return {}


def _extend(session: Session, workflow, now: dt.datetime) -> dt.datetime | None:
    """督办 just agreed to an extension: check the date, move the handling task's deadline, forget the reminders sent
    for the old one. Returns the new deadline (None when the completed step was no such reminder)."""
    remind = _last_done(workflow)
    if remind is None or remind.data.get("remind_action") != EXTEND:
        return None
    handling = _attached_task(remind)
    if handling is None:
        return None
    current = None
    if handling.state == TaskState.READY:
        current = session.scalar(select(OpenTask.due_at).where(OpenTask.id == str(handling.id)))
    if current is None:
        raise FormInvalid({"remind_action": "承办单位已经答复，无需延期，请选择其他督办措施"})
    day = _day(remind.data.get("extended_due"))
    if day is None:
        raise FormInvalid({"extended_due": "请填写延期至的日期（如 2026-07-31）"})
    old, today = current.astimezone(clock.TZ).date(), now.astimezone(clock.TZ).date()
    if day <= old:
        raise FormInvalid({"extended_due": f"延期至的日期须晚于原答复期限（{old:%Y-%m-%d}）"})
    if day <= today:
        raise FormInvalid({"extended_due": f"延期至的日期须晚于今天（{today:%Y-%m-%d}）"})
    due = _end_of(day)
    task_id = str(handling.id)
    session.execute(update(OpenTask).where(OpenTask.id == task_id).values(due_at=due)
                    .execution_options(synchronize_session=False))
    session.execute(delete(ReminderSent).where(ReminderSent.task_id == task_id)
                    .execution_options(synchronize_session=False))
    return due


def _attached_task(task):
    """The task whose boundary event raised `task` (e.g. 办理答复 for its 逾期督办), or None."""
    while task.parent is not None:
        if isinstance(task.task_spec, BoundaryEvent) and isinstance(task.parent.task_spec, BoundaryEventSplit):
            return next((t for t in task.parent.children if not isinstance(t.task_spec, BoundaryEvent)), None)
        task = task.parent
    return None


def _granted(handling) -> dt.datetime | None:
    """The deadline of the latest extension agreed in a reminder raised by the handling task's boundary events."""
    split = handling.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return None
    latest = None
    stack = [t for t in split.children if isinstance(t.task_spec, BoundaryEvent) and t.state == TaskState.COMPLETED]
    while stack:
        task = stack.pop()
        if isinstance(task.task_spec, BoundaryEventJoin):  # back on the main path
            continue
        if (task.state == TaskState.COMPLETED and isinstance(task.task_spec, UserTaskMixin)
                and task.data.get("remind_action") == EXTEND and _day(task.data.get("extended_due"))
                and (latest is None or task.last_state_change > latest.last_state_change)):
            latest = task
        stack.extend(task.children)
    return _end_of(_day(latest.data["extended_due"])) if latest is not None else None


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _end_of(day: dt.date) -> dt.datetime:
    """A date as a deadline: the end of that day in Asia/Shanghai (as add_working_days gives)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=clock.TZ)
