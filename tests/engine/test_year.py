"""A whole year of consultation: the plan approved in January → 2 专题议政性常委会会议, 2 专题协商会, a 季协商座谈会 each
quarter, a 对口协商 for every special committee and a 界别协商, each started by the tick on its planned date → outcomes
→ instructions → implementation → feedback; then the records a year-end report counts."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.models import Instance, ScheduledStart
from engine.procedures.consultation.records import (Attendance, Consultation, ConsultationMaterial,
                                                    ConsultationPlan, Feedback, Implementation, Instruction,
                                                    Meeting, Outcome, PlanItem)

from .consultation_flow import DRAFT, MATERIAL, NOTICE, RECORD, RESEARCH, START, ConsultationFlow

MEMBERS = ["member1", "member2", "member3", "member4", "member5"]
COUNTERPARTS = {"jjw": "fgw", "nyw": "nmj", "kww": "jyj", "shw": "fy", "wsw": "xcb"}  # committee → department
ITEMS = [
    ("季协商座谈会", "2026-03-18", "shw", ["wjw"], "城区停车难"),
    ("对口协商", "2026-04-08", "jjw", ["fgw"], "优化营商环境"),
    ("专题议政性常委会会议", "2026-04-16", "jjw", ["fgw", "czj"], "县域冷链物流发展"),
    ("对口协商", "2026-05-13", "nyw", ["nmj"], "高标准农田建设"),
    ("专题协商会", "2026-05-20", "nyw", ["nmj"], "乡村振兴人才队伍建设"),
    ("对口协商", "2026-06-10", "kww", ["jyj"], "义务教育优质均衡"),
    ("季协商座谈会", "2026-06-17", "wsw", ["xcb"], "红色文化资源保护利用"),
    ("界别协商", "2026-07-08", None, ["nmj"], "设施农业发展"),
    ("对口协商", "2026-07-15", "shw", ["fy"], "多元解纷机制建设"),
    ("季协商座谈会", "2026-08-19", "jjw", ["czj"], "民营经济发展"),
    ("对口协商", "2026-09-09", "wsw", ["xcb"], "地方志和文史资料编纂"),
    ("专题议政性常委会会议", "2026-09-17", "shw", ["wjw", "jyj"], "养老服务体系建设"),
    ("专题协商会", "2026-10-21", "kww", ["wjw"], "基层医疗卫生服务能力"),
    ("季协商座谈会", "2026-11-18", "nyw", ["nmj"], "黄牛产业高质量发展"),
]


def plan_items():
    rows = []
    for form, day, committee, departments, topic in ITEMS:
        row = {"topic": topic, "form": form, "planned_date": day, "department": departments[0], "leaders": "联系副主席"}
        if committee:
            row["lead_committee"] = committee
        if form == "界别协商":
            row["sector_group"] = "东风镇委员联络组"
        rows.append(row)
    return rows


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def approve_plan(flow) -> Instance:
    plan = flow.start("office1", "annual_plan", {"title": "政协开鲁县委员会2026年度协商计划", "plan_year": 2026,
                                                 "plenary_date": "2026-02-26", "solicit_days": 4, "solicit_units": [],
                                                 "solicit_committees": list(COUNTERPARTS)})
    flow.do("xwb_clerk", plan, "county_topics", {"county_topics": [{"title": "县域冷链物流发展", "kind": "县委交办"}]})
    flow.do("zfb_clerk", plan, "gov_topics", {})
    for committee in COUNTERPARTS:
        flow.do(f"{committee}_clerk", plan, "committee_topics", {})
    flow.do("office1", plan, "compile", {"candidate_topics": [
        {"title": topic, "source": "专门委员会会议"} for *_, topic in ITEMS]})
    flow.do("mishuzhang", plan, "joint", {"joint_date": "2026-01-14", "joint_participants": ["县委办主任", "政府办主任",
                                                                                            "政协秘书长"],
                                          "plan_items": plan_items()})
    flow.do("zhuxi", plan, "chair_review", {"chair_meeting_date": "2026-01-16", "chair_decision": "同意报县委"})
    flow.do("changwei", plan, "standing_review", {"standing_meeting_date": "2026-01-20", "standing_decision": "同意"})
    flow.do("xwb_clerk", plan, "issue", {"doc_no": "开党办发〔2026〕3号", "issued_on": "2026-01-22"})
    flow.do("office1", plan, "publish", {"published_on": "2026-01-23", "media": ["开鲁县融媒体中心"]})
    return plan


def attendance_for(n: int) -> dict:
    """Meeting n: one member excused and one absent, in turn, so that the counts differ per member."""
    excused, absent = MEMBERS[n % 5], MEMBERS[(n + 1) % 5]
    present = [m for m in MEMBERS if m not in (excused, absent)]
    return {"members_present": present, "members_excused": [excused], "members_absent": [absent],
            "speakers": present[:1]}


def drive(flow, instance: Instance, n: int, form: str, day: str, committee: str | None, departments: list[str]):
    """Run one planned consultation to its end. Odd meetings get a 县委 instruction to implement."""
    key = instance.process_key
    record = {**RECORD, **attendance_for(n), "held_on": day}
    draft = {**DRAFT, "raised_by_members": [MEMBERS[n % 5]], "raised_by_groups": []}
    instruct = n % 2 == 1
    if key == "counterpart":
        dept = COUNTERPARTS[committee]
        flow.do(f"{dept}_clerk", instance, "agree_topic", {"topic_agreed": "同意"})
        flow.do(f"{committee}_clerk", instance, "notice", {**NOTICE, "meeting_date": day})  # no other units
        flow.do(f"{dept}_clerk", instance, "provide_materials", MATERIAL)
        flow.do(f"{committee}_clerk", instance, "record", record)
        flow.do(f"{committee}_clerk", instance, "draft", {**draft, "outcome_kind": "专题报告"})
        flow.do("zhuxi", instance, "approve", {"approval": "同意报送"})
        flow.outcome_path(instance, county=instruct, gov=False, units=(dept,),
                          county_impl=(dept,), county_instruction="请认真研究采纳。" if instruct else None)
        return
    if key == "sector":
        flow.do("jiebie", instance, "notice", {**NOTICE, "meeting_date": day, "more_material_units": departments[1:]})
        for unit in departments:
            flow.do(f"{unit}_clerk", instance, "provide_materials", MATERIAL)
        flow.do("jiebie", instance, "record", record)
        flow.do("jiebie", instance, "draft", {**draft, "outcome_kind": "政协信息"})
        flow.do("zhuxi", instance, "approve", {"approval": "同意报送"})
        flow.outcome_path(instance, county=True, gov=False, county_impl=tuple(departments),
                          county_instruction="请农牧局研究。" if instruct else None)
        flow.do("jiebie", instance, "conversion", {"converted_proposals": 1, "converted_speeches": 0, "converted_sqmy": 1})
        return
    flow.do("office1", instance, "notice", {**NOTICE, "meeting_date": day, "more_material_units": departments[1:]})
    flow.do(f"{committee}_clerk", instance, "research", RESEARCH)
    for unit in departments:
        flow.do(f"{unit}_clerk", instance, "provide_materials", MATERIAL)
    flow.do("office1", instance, "record", record)
    if key == "topical_meeting":
        kind, approver = ("建议案", ("changweihui", "adopt")) if n < 5 else ("政协党组报告", ("dangzu", "sign"))
    elif key == "special_meeting":
        kind, approver = ("专题报告", ("zhuxi", "approve")) if n < 5 else ("政协党组报告", ("dangzu", "sign"))
    else:
        kind, approver = "专题报告", ("zhuxi", "approve")
    flow.do("office1", instance, "draft", {**draft, "outcome_kind": kind})
    user, step = approver
    flow.do(user, instance, step, {"approval": "通过" if step == "adopt" else "同意报送"})
    flow.outcome_path(instance, county=True, gov=True, county_impl=tuple(departments),
                      county_instruction="请有关部门抓好落实。" if instruct else None,
                      gov_instruction="同意。" if instruct else None, gov_impl=())


def test_a_year_of_planned_consultation(flow):
    session = flow.session
    plan = approve_plan(flow)
    assert session.scalar(select(func.count()).select_from(ScheduledStart)) == len(ITEMS)

    expected_instructions = expected_impl = 0
    for n, (form, day, committee, departments, topic) in enumerate(ITEMS):
        clock.set_now(dt.datetime.fromisoformat(day + "T08:00:00+08:00"))
        assert flow.tick()["started"] == 0  # not before 09:00 of its day
        assert flow.tick(hours=1, minutes=1)["started"] == 1
        instance = session.scalars(select(Instance).join(PlanItem, PlanItem.instance_id == Instance.id)
                                   .where(PlanItem.seq == n + 1)).one()
        assert instance.title == topic
        drive(flow, instance, n, form, day, committee, departments)
        assert flow.status(instance) == "completed", flow.open_ids(instance)
        if n % 2 == 1:
            county = 1
            gov = 1 if instance.process_key in ("topical_meeting", "special_meeting", "quarterly_forum") else 0
            expected_instructions += county + gov
            expected_impl += len(departments) if instance.process_key != "counterpart" else 1
        if instance.process_key == "counterpart":
            expected_impl += 1  # the counterpart department also reports on what was sent to it directly

    session.expire_all()
    count = lambda model, *where: session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731

    # the plan
    [record] = session.scalars(select(ConsultationPlan).where(ConsultationPlan.instance_id == plan.id)).all()
    assert (record.status, record.doc_no, record.year) == ("已发布", "开党办发〔2026〕3号", 2026)
    assert count(PlanItem, PlanItem.instance_id.is_(None)) == 0

    # consultations by form, all finished and each linked to its plan item
    by_form = Counter(session.scalars(select(Consultation.form).where(Consultation.status == "已办结")))
    assert by_form == {"专题议政性常委会会议": 2, "专题协商会": 2, "季协商座谈会": 4, "对口协商": 5, "界别协商": 1}
    assert count(Consultation, Consultation.plan_item_id.is_(None)) == 0
    assert set(session.scalars(select(Consultation.lead_committee).where(Consultation.process_key == "counterpart"))) \
        == set(COUNTERPARTS)  # a counterpart consultation for every special committee

    # meetings: one per consultation, a quarterly forum in each quarter; research before P3–P5
    meetings = session.scalars(select(Meeting).where(Meeting.kind == "会议")).all()
    assert len(meetings) == len(ITEMS)
    forums = [m.held_on for m in meetings if m.process_key == "quarterly_forum"]
    assert sorted((d.month - 1) // 3 + 1 for d in forums) == [1, 2, 3, 4]
    assert count(Meeting, Meeting.kind == "调研") == 8

    # attendance per person: every member's presence, excusal and absence are counted
    rows = session.execute(select(Attendance.username, Attendance.status, func.count())
                           .join(Meeting, Meeting.id == Attendance.meeting_id)
                           .where(Meeting.kind == "会议", Attendance.category == "委员")
                           .group_by(Attendance.username, Attendance.status)).all()
    counted = {(u, s): c for u, s, c in rows}
    for member in MEMBERS:
        excused = sum(1 for n in range(len(ITEMS)) if MEMBERS[n % 5] == member)
        absent = sum(1 for n in range(len(ITEMS)) if MEMBERS[(n + 1) % 5] == member)
        assert counted.get((member, "请假"), 0) == excused
        assert counted.get((member, "缺席"), 0) == absent
        assert counted.get((member, "出席"), 0) == len(ITEMS) - excused - absent
    assert count(Attendance, Attendance.category == "部门") == 2 * len(ITEMS)
    assert count(ConsultationMaterial) == sum(len(d) for *_, d, _ in ITEMS)

    # outcomes → instructions → implementation → feedback
    outcomes = session.scalars(select(Outcome)).all()
    assert len(outcomes) == len(ITEMS) and {o.status for o in outcomes} == {"已办结"}
    assert Counter(o.kind for o in outcomes) == {"专题报告": 10, "建议案": 1, "政协党组报告": 2, "政协信息": 1}
    assert count(Instruction) == expected_instructions
    assert count(Instruction, Instruction.notified_on.is_(None)) == 0  # the office was told of every instruction
    assert count(Implementation) == expected_impl
    assert count(Feedback) == len(ITEMS)  # one member raised each outcome
    fed = Counter(session.scalars(select(Feedback.recipient)))
    assert fed == Counter(MEMBERS[n % 5] for n in range(len(ITEMS)))
    assert count(Outcome, Outcome.fed_back_on.is_(None)) == 0

    # the year board reads the same year back from these records
    from engine.board import obligations

    board = {r.obligation.id: r for r in obligations.evaluate(session, obligations.load(), 2026, dt.date(2026, 12, 31))}
    met = ("O1", "O2", "O3", "O5", "O6", "O9", "O10", "O11", "O22", "O23", "O24", "O25")
    assert {oid: board[oid].state for oid in met} == dict.fromkeys(met, "done")
    assert board["O9"].figure == "2 / 2" and board["O11"].figure == "4 / 4 个季度"
    assert board["O22"].figure.startswith(f"{len(ITEMS) - 2} / {len(ITEMS) - 2}")  # two went to departments only
    assert board["O12"].state == "risk" and board["O12"].figure == "3 / 5 个单位"  # 财政局, 卫健委 not yet
    assert "县财政局" in board["O12"].detail[0] and "县卫生健康委员会" in board["O12"].detail[0]
    assert board["O4"].state == "done"  # decided 2026-01-20, before the plenary of 2026-02-26 the plan records
    assert board["O4"].figure == "2026-01-20 审定，2026-02-26 全体会议"
    assert set(board["O9"].instances) == {c.instance_id for c in session.scalars(
        select(Consultation).where(Consultation.process_key == "topical_meeting"))}
