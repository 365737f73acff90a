"""P9 协商成果采纳、落实和反馈 → consultation_outcomes with their instructions, implementation reports and feedback.

Read from an `outcome` workflow (a call activity of any procedure, or an instance started directly); called by the
consultation projection, which owns the dispatch.
"""
from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import status
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.procedures.consultation.records import Feedback, Implementation, Instruction, Outcome
from engine.procedures.consultation.steps import Steps, _date, _known, _strings, _text

FACTS = Requires(
    ("outcome",), N_("协商成果记录"),
    steps={"send": N_("报送文号、日期和去向"), "county_read": N_("县委领导阅批和批示"), "gov_read": N_("政府领导阅批和批示"),
           "county_notice": N_("批示通知日期"), "gov_notice": N_("批示通知日期"), "county_implement": N_("落实情况"),
           "gov_implement": N_("落实情况"), "dept_handle": N_("部门办理情况"), "feedback": N_("反馈"),
           "county_read_urge": N_("催报阅批"), "gov_read_urge": N_("催报阅批")},
    data=("outcome_kind", "outcome_title", "outcome_summary", "outcome_source", "raised_by_members",
          "raised_by_groups", "doc_no", "sent_on", "send_county", "send_gov", "send_units", "county_leader",
          "county_read_on", "county_instructed", "county_instruction", "county_impl_units", "county_impl_due",
          "county_notified_on", "county_impl_unit", "gov_leader", "gov_read_on", "gov_instructed", "gov_instruction",
          "gov_impl_units", "gov_impl_due", "gov_notified_on", "gov_impl_unit", "dept_unit", "impl_status",
          "impl_report", "reported_on", "feedback_on", "feedback_method", "feedback_content"))
SEND, FEEDBACK, DEPT_HANDLE = FACTS.each("send", "feedback", "dept_handle")
READ = dict(zip(("county", "gov"), FACTS.each("county_read", "gov_read")))
READ_URGE = dict(zip(("county", "gov"), FACTS.each("county_read_urge", "gov_read_urge")))
UNANSWERED = "未反馈"  # the reading leader never answered and the office went on without it
NOTICE = dict(zip(("county", "gov"), FACTS.each("county_notice", "gov_notice")))
IMPLEMENT = dict(zip(("county", "gov"), FACTS.each("county_implement", "gov_implement")))


def record(session: Session, instance, wf, steps: Steps, call_id: str, consultation_id: int | None) -> None:
    now = clock.now()
    inputs = steps.any_data or {}
    if not inputs:
        return
    values = {
        "kind": _text(inputs.get("outcome_kind"), 20), "title": _text(inputs.get("outcome_title"), 200),
        "summary": _text(inputs.get("outcome_summary")), "source": _text(inputs.get("outcome_source"), 300),
        "raised_by_members": _strings(inputs.get("raised_by_members")),
        "raised_by_groups": _strings(inputs.get("raised_by_groups")),
        "status": status.of(wf, open_default="报送中"),
    }
    sent = steps.last(SEND)
    if sent is not None:
        values.update(doc_no=_text(sent.data.get("doc_no"), 60), sent_on=_date(sent.data.get("sent_on")),
                      send_county=bool(sent.data.get("send_county")), send_gov=bool(sent.data.get("send_gov")),
                      send_units=_strings(sent.data.get("send_units")))
    for side in ("county", "gov"):
        read = steps.last(READ[side])
        if read is not None:
            values[f"{side}_leader"] = _text(read.data.get(f"{side}_leader"), 60)
            values[f"{side}_read_on"] = _date(read.data.get(f"{side}_read_on"))
        else:
            urged = steps.last(READ_URGE[side])
            if urged is not None and urged.data.get("urge_action") == "不再等待":
                values[f"{side}_leader"] = UNANSWERED
    fed = steps.last(FEEDBACK)
    if fed is not None:
        values["fed_back_on"] = _date(fed.data.get("feedback_on"))
    if wf.is_completed():
        values["closed_at"] = now
    outcome_id = session.scalar(select(Outcome.id).where(Outcome.instance_id == instance.id,
                                                         Outcome.call_id == call_id))
    if outcome_id is None:
        outcome_id = session.execute(insert(Outcome).values(
            instance_id=instance.id, call_id=call_id, consultation_id=consultation_id,
            source_process=instance.process_key, created_at=now, **values)).inserted_primary_key[0]
    else:
        session.execute(update(Outcome).where(Outcome.id == outcome_id).values(**values)
                        .execution_options(synchronize_session=False))
    _instructions(session, outcome_id, steps)
    _implementations(session, outcome_id, steps)
    _feedback(session, outcome_id, steps)


def _instructions(session: Session, outcome_id: int, steps: Steps) -> None:
    reads = [(side, t) for side in ("county", "gov") for t in steps.done.get(READ[side], [])
             if t.data.get(f"{side}_instructed")]
    if not reads:
        return
    known = _known(session, Instruction.task_id, Instruction.outcome_id == outcome_id)
    for side, task in reads:
        notice = steps.last(NOTICE[side])
        notified_on = _date(notice.data.get(f"{side}_notified_on")) if notice is not None else None
        if str(task.id) in known:
            if notified_on is not None:
                session.execute(update(Instruction).where(Instruction.task_id == str(task.id),
                                                          Instruction.notified_on.is_(None))
                                .values(notified_on=notified_on).execution_options(synchronize_session=False))
            continue
        d = task.data
        session.execute(insert(Instruction).values(
            outcome_id=outcome_id, task_id=str(task.id), channel="县委" if side == "county" else "县政府",
            leader=_text(d.get(f"{side}_leader"), 60), instructed_on=_date(d.get(f"{side}_read_on")),
            text=_text(d.get(f"{side}_instruction")), impl_units=_strings(d.get(f"{side}_impl_units")),
            impl_due=_date(d.get(f"{side}_impl_due")), notified_on=notified_on))


def _implementations(session: Session, outcome_id: int, steps: Steps) -> None:
    found = [(t, channel, item) for bpmn_id, channel, item in (
        (IMPLEMENT["county"], "县委批示", "county_impl_unit"), (IMPLEMENT["gov"], "县政府批示", "gov_impl_unit"),
        (DEPT_HANDLE, "直接报送", "dept_unit")) for t in steps.done.get(bpmn_id, []) if item in t.data]
    if not found:
        return
    known = _known(session, Implementation.task_id, Implementation.outcome_id == outcome_id)
    rows = [{"outcome_id": outcome_id, "task_id": str(t.id), "channel": channel, "unit_code": t.data[item],
             "status": _text(t.data.get("impl_status"), 20), "report": _text(t.data.get("impl_report")),
             "reported_on": _date(t.data.get("reported_on"))}
            for t, channel, item in found if str(t.id) not in known]
    if rows:
        session.execute(insert(Implementation), rows)


def _feedback(session: Session, outcome_id: int, steps: Steps) -> None:
    tasks = steps.done.get(FEEDBACK, [])
    if not tasks:
        return
    known = _known(session, Feedback.task_id, Feedback.outcome_id == outcome_id)
    rows = []
    for task in tasks:
        if str(task.id) in known:
            continue
        d = task.data
        common = {"outcome_id": outcome_id, "task_id": str(task.id), "method": _text(d.get("feedback_method"), 20),
                  "content": _text(d.get("feedback_content")), "fed_back_on": _date(d.get("feedback_on"))}
        rows += [{**common, "recipient_kind": "委员", "recipient": u} for u in _strings(d.get("raised_by_members"))]
        rows += [{**common, "recipient_kind": "团体", "recipient": g} for g in _strings(d.get("raised_by_groups"))]
    if rows:
        session.execute(insert(Feedback), rows)


