"""P1–P7 and P9 → the planning and consultation records (engine/procedures/consultation/records.py).

Every step re-reads what the workflow has done so far: completed steps become rows once (keyed by their task id),
the status follows the steps that are open. Outcomes live in `outcome` call activities (subprocesses of the
consultation's workflow) or in an `outcome` instance started directly; both are read the same way.
When the county standing committee approves an annual plan, each planned item is scheduled to start its procedure
on its planned date (engine.schedule; `xieshang tick` starts it).
"""
from __future__ import annotations

import datetime as dt

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import schedule, status
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.models import User
from engine.procedures.consultation.records import (LEADERSHIPS, Attendance, Consultation, ConsultationMaterial,
                                                    ConsultationPlan, Meeting, PlanItem, PlanTopic,
                                                    PlenaryLeadership, Speech)
from engine.procedures.consultation import outcomes
from engine.procedures.consultation.steps import (Steps, _date, _known, _steps, _strings, _text, _unit_names,
                                                  _user_ids)

PROCESS_KEYS = ("annual_plan", "plenary", "topical_meeting", "special_meeting", "quarterly_forum", "counterpart",
                "sector", "outcome")
FORM_NAMES = {"plenary": "全体会议协商", "topical_meeting": "专题议政性常委会会议", "special_meeting": "专题协商会",
              "quarterly_forum": "季协商座谈会", "counterpart": "对口协商", "sector": "界别协商"}
# 协商形式 of a plan item → the procedure that runs it
FORM_PROCESSES = {"专题议政性常委会会议": "topical_meeting", "专题协商会": "special_meeting",
                  "季协商座谈会": "quarterly_forum", "对口协商": "counterpart", "界别协商": "sector"}
START_HOUR = dt.time(9, 0)

PLAN = Requires(
    ("annual_plan",), N_("年度协商计划记录"),
    steps={"urge": N_("催报"), "compile": N_("征集的议题、未报送的单位"), "joint": N_("计划的协商事项"), "chair_review": N_("主席会议审议结果、退回次数"),
           "standing_review": N_("县委常委会研究结果、计划批准和按计划发起"),
           "standing_late": N_("晚于全体会议研究的原因"), "issue": N_("印发文号"), "publish": N_("公开发布")},
    data=("title", "plan_year", "plenary_date", "late_action", "late_reason", "solicit_days", "solicit_deadline",
          "unreported", "candidate_topics", "plan_items", "chair_decision",
          "chair_meeting_date", "standing_decision", "standing_meeting_date", "in_work_points", "doc_no", "issued_on",
          "published_on", "media"))
URGE, COMPILE, JOINT, CHAIR_REVIEW, STANDING_REVIEW, STANDING_LATE, ISSUE, PUBLISH = PLAN.each(
    "urge", "compile", "joint", "chair_review", "standing_review", "standing_late", "issue", "publish")
FACTS = Requires(
    PROCESS_KEYS[1:-1], N_("协商活动记录"),  # one record for six diagrams: each keeps the steps it has
    steps={"opinion": N_("研究提出的意见、会议记录"), "adoption": N_("采纳情况"), "conversion": N_("成果转化数"),
           "provide_materials": N_("协商材料"), "briefing_materials": N_("通报材料"), "research": N_("调研活动及出席"),
           "briefing": N_("情况通报会及出席"), "record": N_("会议记录及出席"), "invited": N_("受邀活动记录及出席"),
           "speech": N_("大会发言"), "select_speeches": N_("遴选的口头、书面发言")},
    calls={"outcome": N_("协商成果的采纳、落实和反馈")},
    data=("title", "path", "topic_source", "raised_by_unit", "plan_number", "plan_item", "lead_committee",
          "counterpart_unit", "sector_group", "leaders", "planned_date", "session_start", "opinion_text", "adoption",
          "adoption_note", "converted_proposals", "converted_speeches", "converted_sqmy", "material_unit",
          "briefing_unit", "speech_member", "speech_submit", "speech_title", "oral_speakers", "written_speakers"))
(OPINION, ADOPTION, CONVERSION, MATERIALS, BRIEFING_MATERIALS, RESEARCH, BRIEFING, RECORD, INVITED, SPEECH,
 SELECT) = FACTS.each("opinion", "adoption", "conversion", "provide_materials", "briefing_materials", "research",
                      "briefing", "record", "invited", "speech", "select_speeches")
OUTCOME = FACTS.call("outcome")


# ---------------------------------------------------------------------------------------------------- entry

def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    steps = _steps(workflow)
    top = steps.get(workflow, Steps())
    if instance.process_key == PLAN.processes[0]:
        _plan(session, instance, workflow, data, top, kind, steps)
        return
    consultation_id = None
    if instance.process_key != OUTCOME:
        consultation_id = _consultation(session, instance, workflow, data, top, steps, kind)
    _outcomes(session, instance, workflow, steps, consultation_id)


CALLED_KEYS = (OUTCOME,)


def record_outcomes(session: Session, instance, workflow) -> None:
    """Keep consultation_outcomes (with instructions, implementation reports and feedback) for every `outcome` call
    in `workflow`. For the projectors of other procedures that call `outcome` (社情民意, 民主评议, 视察调研 …): call it
    from their project() so that their outcomes are counted with the consultations'."""
    _outcomes(session, instance, workflow, _steps(workflow), None)


def _outcomes(session: Session, instance, workflow, steps, consultation_id: int | None) -> None:
    for wf, wf_steps in steps.items():
        if wf.spec.name == OUTCOME:
            call_id = "main" if wf is workflow else str(wf.parent_task_id)
            outcomes.record(session, instance, wf, _with_nested(wf, wf_steps, steps), call_id, consultation_id)


def _with_nested(outcome_wf, own: Steps, steps: dict) -> Steps:
    """The outcome's steps with those of the sub-processes inside it (a step given a deadline by a sub-process)."""
    nested = []
    for wf, wf_steps in steps.items():
        parent = getattr(wf, "parent_workflow", None)
        while parent is not None and parent is not outcome_wf and parent.spec.name != OUTCOME:
            parent = parent.parent_workflow
        if wf is not outcome_wf and wf.spec.name != OUTCOME and parent is outcome_wf:
            nested.append(wf_steps)
    if not nested:
        return own
    merged = Steps()
    merged.any_data, merged.open = own.any_data, set(own.open)
    merged.done = {k: list(v) for k, v in own.done.items()}
    for wf_steps in nested:
        merged.open |= wf_steps.open
        for bpmn_id, tasks in wf_steps.done.items():
            merged.done.setdefault(bpmn_id, []).extend(tasks)
    for tasks in merged.done.values():
        tasks.sort(key=lambda t: t.last_state_change)
    return merged


# ---------------------------------------------------------------------------------------------------- P1

def _live(workflow, key: str):
    """`key` as the workflow's live tasks hold it now (a value a script set, such as the solicitation's deadline)."""
    live = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
    for task in sorted(live, key=lambda t: t.last_state_change, reverse=True):  # the newest value first
        if key in task.data:
            return task.data[key]
    return None


def _plan(session: Session, instance, workflow, data: dict, top: Steps, kind: str, steps: dict) -> None:
    now = clock.now()
    if kind == "start":
        session.execute(insert(ConsultationPlan).values(
            instance_id=instance.id, number=instance.business_key, title=_text(data.get("title"), 200),
            year=data.get("plan_year"), status="征集议题",
            solicit_deadline=_date(data.get("solicit_deadline") or _live(workflow, "solicit_deadline")),
            plenary_on=_date(data.get("plenary_date")),
            media=[], created_at=now))
        return
    plan = session.execute(select(ConsultationPlan.id, ConsultationPlan.number, ConsultationPlan.topics_task_id,
                                  ConsultationPlan.items_task_id, ConsultationPlan.approved_at, ConsultationPlan.urged_at)
                           .where(ConsultationPlan.instance_id == instance.id)).one()
    values = {"status": status.of(workflow, open_default="征集议题", done_default="已发布")}
    deadline = _date(_live(workflow, "solicit_deadline"))
    if deadline is not None and top.last(COMPILE) is None:  # extended after a 催报
        values["solicit_deadline"] = deadline
    if plan.urged_at is None and any(URGE in s.open or URGE in s.done for s in steps.values()):
        values["urged_at"] = now  # the deadline passed with answers missing: the office was asked to 催报
    compiling = [t for t in workflow.get_tasks(state=TaskState.READY | TaskState.COMPLETED)
                 if t.task_spec.bpmn_id == COMPILE]
    if compiling:
        values["unreported"] = _strings(compiling[-1].data.get("unreported"))
    compiled = top.last(COMPILE)
    if compiled is not None and str(compiled.id) != plan.topics_task_id:
        values["topics_task_id"] = str(compiled.id)
        session.execute(delete(PlanTopic).where(PlanTopic.plan_id == plan.id))
        rows = [{"plan_id": plan.id, "seq": n, "title": _text(t.get("title"), 200),
                 "rationale": _text(t.get("rationale")), "source": _text(t.get("source"), 30),
                 "proposer": _text(t.get("proposer"), 100), "proposed_form": _text(t.get("proposed_form"), 30)}
                for n, t in enumerate(compiled.data.get("candidate_topics") or [], start=1) if isinstance(t, dict)]
        if rows:
            session.execute(insert(PlanTopic), rows)
    joint = top.last(JOINT)
    if joint is not None and str(joint.id) != plan.items_task_id and plan.approved_at is None:
        values["items_task_id"] = str(joint.id)
        session.execute(delete(PlanItem).where(PlanItem.plan_id == plan.id))
        rows = [{"plan_id": plan.id, "seq": n, "topic": _text(i.get("topic"), 200), "form": _text(i.get("form"), 30),
                 "process_key": FORM_PROCESSES.get(i.get("form")), "planned_date": _date(i.get("planned_date")),
                 "lead_committee": i.get("lead_committee") or None, "leaders": _text(i.get("leaders"), 100),
                 "departments": [i["department"]] if i.get("department") else _strings(i.get("departments")),
                 "sector_group": _text(i.get("sector_group"), 100),
                 "source": _text(i.get("source"), 100)}
                for n, i in enumerate(joint.data.get("plan_items") or [], start=1) if isinstance(i, dict)]
        if rows:
            session.execute(insert(PlanItem), rows)
    returns = sum(1 for t in top.done.get(CHAIR_REVIEW, []) if t.data.get("chair_decision") == "退回修改")
    returns += sum(1 for t in top.done.get(STANDING_REVIEW, []) if t.data.get("standing_decision") == "退回修改")
    values["returns"] = returns
    chair = top.last(CHAIR_REVIEW)
    if chair is not None:
        values["chair_meeting_on"] = _date(chair.data.get("chair_meeting_date"))
    standing = top.last(STANDING_REVIEW)
    if standing is not None:
        values["standing_meeting_on"] = _date(standing.data.get("standing_meeting_date"))
        values["in_work_points"] = bool(standing.data.get("in_work_points"))
        late = top.last(STANDING_LATE)
        values["late_reason"] = (_text(late.data.get("late_reason"), 500) or None) if late is not None and \
            late.last_state_change > standing.last_state_change and late.data.get("late_action") == "如实记录" else None
        deciding = STANDING_REVIEW in top.open or STANDING_LATE in top.open  # a date being checked is not yet a decision
        if standing.data.get("standing_decision") == "同意" and plan.approved_at is None and not deciding:
            values["approved_at"] = now
            _schedule_items(session, instance, plan)
    issued = top.last(ISSUE)
    if issued is not None:
        values["doc_no"] = _text(issued.data.get("doc_no"), 60)
        values["issued_on"] = _date(issued.data.get("issued_on"))
    published = top.last(PUBLISH)
    if published is not None:
        values["published_on"] = _date(published.data.get("published_on"))
        values["media"] = _strings(published.data.get("media"))
    if workflow.is_completed():
        values["closed_at"] = now
    session.execute(update(ConsultationPlan).where(ConsultationPlan.id == plan.id).values(**values)
                    .execution_options(synchronize_session=False))


def start_data(plan_number: str, item) -> dict:
    """What a planned item's procedure starts with (its start form's fields); `item` is a PlanItem or a row of it."""
    common = {"title": item.topic, "topic_source": "年度协商计划", "plan_number": plan_number, "plan_item": item.seq,
              "leaders": item.leaders or "", "planned_date": item.planned_date.isoformat() if item.planned_date else None,
              "rationale": f"年度协商计划议题（来源：{item.source}）" if item.source else ""}
    if item.lead_committee:
        common["lead_committee"] = item.lead_committee
    departments = list(item.departments or [])
    if item.process_key == "counterpart":
        return {**common, "path": "对口协商会议", "counterpart_unit": departments[0] if departments else None,
                "material_units": departments[1:]}
    if item.process_key == "sector":
        return {**common, "sector_group": item.sector_group, "activity_kind": "界别协商会",
                "material_units": departments}
    extra = {"research_needed": True} if item.process_key == "topical_meeting" else {}
    return {**common, "material_units": departments, **extra}


def _schedule_items(session: Session, instance, plan) -> None:
    requested_by = session.get(User, instance.started_by_id) if instance.started_by_id else None
    items = session.execute(select(PlanItem.id, PlanItem.seq, PlanItem.topic, PlanItem.process_key,
                                   PlanItem.planned_date, PlanItem.lead_committee, PlanItem.leaders,
                                   PlanItem.departments, PlanItem.sector_group, PlanItem.source,
                                   PlanItem.scheduled_start_id)
                            .where(PlanItem.plan_id == plan.id).order_by(PlanItem.seq)).all()
    for item in items:
        if not item.process_key or item.planned_date is None or item.scheduled_start_id is not None:
            continue
        start_at = dt.datetime.combine(item.planned_date, START_HOUR, tzinfo=clock.TZ)
        data = {k: v for k, v in start_data(plan.number, item).items() if v is not None}
        row = schedule.schedule(session, item.process_key, start_at, data, requested_by=requested_by,
                                source=instance)
        session.flush()
        session.execute(update(PlanItem).where(PlanItem.id == item.id).values(scheduled_start_id=row.id)
                        .execution_options(synchronize_session=False))


# ---------------------------------------------------------------------------------------------------- P2–P7

def _consultation(session: Session, instance, workflow, data: dict, top: Steps, steps, kind: str) -> int:
    now = clock.now()
    key = instance.process_key
    if kind == "start":
        plan_item_id = None
        if data.get("plan_number") and data.get("plan_item"):
            plan_item_id = session.scalar(
                select(PlanItem.id).join(ConsultationPlan, ConsultationPlan.id == PlanItem.plan_id)
                .where(ConsultationPlan.number == data["plan_number"], PlanItem.seq == int(data["plan_item"]))
                .order_by(ConsultationPlan.id.desc()).limit(1))
            if plan_item_id is not None:
                session.execute(update(PlanItem).where(PlanItem.id == plan_item_id).values(instance_id=instance.id)
                                .execution_options(synchronize_session=False))
        result = session.execute(insert(Consultation).values(
            instance_id=instance.id, process_key=key, form=FORM_NAMES.get(key, key), number=instance.business_key,
            title=_text(data.get("title"), 300), path=data.get("path"), topic_source=data.get("topic_source"),
            raised_by_unit=data.get("raised_by_unit") or None, plan_item_id=plan_item_id,
            lead_committee=data.get("lead_committee") or None, counterpart_unit=data.get("counterpart_unit") or None,
            sector_group=data.get("sector_group") or None, leaders=_text(data.get("leaders"), 100),
            planned_date=_date(data.get("planned_date") or data.get("session_start")),
            status=status.of(workflow, open_default="进行中"), started_at=now))
        consultation_id = result.inserted_primary_key[0]
    else:
        consultation_id = session.scalar(select(Consultation.id).where(Consultation.instance_id == instance.id))
        values = {"status": status.of(workflow, open_default="进行中")}
        if workflow.is_completed():
            values["closed_at"] = now
        opinion = top.last(OPINION)
        if opinion is not None:
            values["opinion"] = _text(opinion.data.get("opinion_text"))
        adoption = top.last(ADOPTION)
        if adoption is not None:
            values["adoption"] = adoption.data.get("adoption")
            values["adoption_note"] = _text(adoption.data.get("adoption_note"))
        conversion = top.last(CONVERSION)
        if conversion is not None:
            for field in ("converted_proposals", "converted_speeches", "converted_sqmy"):
                values[field] = int(conversion.data.get(field) or 0)
        session.execute(update(Consultation).where(Consultation.id == consultation_id).values(**values)
                        .execution_options(synchronize_session=False))
    _materials(session, consultation_id, top, steps)
    _meetings(session, consultation_id, key, top)
    _speeches(session, consultation_id, top, steps)
    return consultation_id


def _materials(session: Session, consultation_id: int, top: Steps, steps: dict) -> None:
    # a unit's materials step may sit in the sub-process that gives the wait its deadline (one per unit)
    found = [(t, "协商材料", "material_unit") for wf_steps in steps.values() for t in wf_steps.done.get(MATERIALS, [])]
    found += [(t, "通报材料", "briefing_unit") for wf_steps in steps.values()
              for t in wf_steps.done.get(BRIEFING_MATERIALS, [])]
    found = [(t, kind, item) for t, kind, item in found if item in t.data]
    if not found:
        return
    known = _known(session, ConsultationMaterial.task_id, ConsultationMaterial.consultation_id == consultation_id)
    rows = [{"consultation_id": consultation_id, "task_id": str(t.id), "kind": kind, "unit_code": t.data[item],
             "title": _text(t.data.get("material_title"), 200), "summary": _text(t.data.get("material_summary")),
             "provided_on": _date(t.data.get("provided_on"))}
            for t, kind, item in found if str(t.id) not in known]
    if rows:
        session.execute(insert(ConsultationMaterial), rows)


def _people(lines) -> list[str]:
    return [str(line).strip() for line in lines or [] if str(line).strip()]


def _meeting_rows(task):
    """(meeting values, attendance rows without meeting_id) for a completed meeting-like step."""
    d, bpmn_id = task.data, task.task_spec.bpmn_id
    members: list[tuple[str, str]] = []
    others: list[tuple[str, str, str | None]] = []  # category, name, unit code
    if bpmn_id == RESEARCH:
        meeting = {"kind": "调研", "title": d.get("research_title"), "held_on": d.get("research_start"),
                   "held_until": d.get("research_end"), "place": d.get("research_places"),
                   "presiding": d.get("research_leader"), "minutes": d.get("research_report")}
        members = [(u, "出席") for u in _strings(d.get("research_members"))]
        others = [("专家学者", p, None) for p in _people(d.get("research_experts"))]
    elif bpmn_id == BRIEFING:
        meeting = {"kind": "情况通报会", "title": "情况通报会", "held_on": d.get("briefing_date"),
                   "presiding": d.get("briefing_presiding"), "minutes": d.get("briefing_content")}
        members = [(u, "出席") for u in _strings(d.get("briefing_members"))]
        others = [("部门负责同志", p, None) for p in _people(d.get("briefing_leaders"))]
        others += [("部门", None, u) for u in _strings(d.get("briefing_units"))]
    elif bpmn_id == OPINION:
        meeting = {"kind": "征求意见研究", "title": d.get("title"), "held_on": d.get("opinion_on"),
                   "minutes": d.get("opinion_text")}
        members = [(u, "出席") for u in _strings(d.get("opinion_members"))]
        others = [("专家学者", p, None) for p in _people(d.get("opinion_experts"))]
    else:  # record, invited
        meeting = {"kind": "受邀活动" if bpmn_id == INVITED else "会议",
                   "title": (d.get("activity_kind") or "") + "：" + str(d.get("title") or "")
                   if bpmn_id == INVITED else d.get("title"),
                   "held_on": d.get("held_on"), "held_until": d.get("held_until"), "place": d.get("place"),
                   "presiding": d.get("presiding"), "minutes": d.get("minutes"), "consensus": d.get("consensus")}
        for field, status in (("members_present", "出席"), ("members_excused", "请假"), ("members_absent", "缺席")):
            members += [(u, status) for u in _strings(d.get(field))]
        others = [("党政领导", p, None) for p in _people(d.get("leaders_present"))]
        others += [("部门", None, u) for u in _strings(d.get("units_present"))]
        others += [("部门负责同志", p, None) for p in _people(d.get("dept_people"))]
        others += [("专家学者", p, None) for p in _people(d.get("experts_present"))]
    speakers = set(_strings(d.get("speakers")))
    return meeting, members, others, speakers


def _meetings(session: Session, consultation_id: int, key: str, top: Steps) -> None:
    tasks = [t for bpmn_id in (RESEARCH, BRIEFING, RECORD, OPINION, INVITED) for t in top.done.get(bpmn_id, [])]
    if not tasks:
        return
    known = _known(session, Meeting.task_id, Meeting.consultation_id == consultation_id)
    for task in tasks:
        if str(task.id) in known:
            continue
        meeting, members, others, speakers = _meeting_rows(task)
        users = _user_ids(session, [u for u, _ in members])
        units = _unit_names(session, [code for _, _, code in others])
        result = session.execute(insert(Meeting).values(
            consultation_id=consultation_id, process_key=key, task_id=str(task.id), kind=meeting["kind"],
            title=_text(meeting.get("title"), 300), held_on=_date(meeting.get("held_on")),
            held_until=_date(meeting.get("held_until")), place=_text(meeting.get("place"), 300),
            presiding=_text(meeting.get("presiding"), 60), minutes=_text(meeting.get("minutes")),
            consensus=_text(meeting.get("consensus"))))
        meeting_id = result.inserted_primary_key[0]
        rows = [{"meeting_id": meeting_id, "category": "委员", "name": users.get(u, (None, u))[1], "username": u,
                 "unit_code": None, "status": status, "spoke": u in speakers} for u, status in members]
        rows += [{"meeting_id": meeting_id, "category": category, "name": name or units.get(code, code or ""),
                  "username": None, "unit_code": code, "status": "出席", "spoke": False}
                 for category, name, code in others]
        if rows:
            session.execute(insert(Attendance), rows)
        bodies = [b for b in LEADERSHIPS if b in _strings(task.data.get("leaderships_present"))]
        if bodies:  # the plenary's record: which leaderships attended throughout (第10条)
            session.execute(insert(PlenaryLeadership), [
                {"instance_id": session.scalar(select(Consultation.instance_id)
                                               .where(Consultation.id == consultation_id)),
                 "meeting_id": meeting_id, "body": b, "held_on": _date(meeting.get("held_on"))} for b in bodies])


def _speeches(session: Session, consultation_id: int, top: Steps, steps: dict) -> None:
    drafts = [t for wf_steps in steps.values() for t in wf_steps.done.get(SPEECH, []) if "speech_member" in t.data]
    if not drafts:
        return
    known = _known(session, Speech.task_id, Speech.consultation_id == consultation_id)
    rows = [{"consultation_id": consultation_id, "task_id": str(t.id), "username": t.data["speech_member"],
             "submitted": bool(t.data.get("speech_submit")), "title": _text(t.data.get("speech_title"), 200)}
            for t in drafts if str(t.id) not in known]
    if rows:
        session.execute(insert(Speech), rows)
    selection = top.last(SELECT)
    if selection is not None:
        for field, label in (("oral_speakers", "口头发言"), ("written_speakers", "书面发言")):
            chosen = _strings(selection.data.get(field))
            if chosen:
                session.execute(update(Speech).where(Speech.consultation_id == consultation_id,
                                                     Speech.username.in_(chosen)).values(selected=label)
                                .execution_options(synchronize_session=False))


project_calls = record_outcomes  # every procedure that calls `outcome` has its outcomes counted
