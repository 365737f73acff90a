"""Who may start what (第10, 13, 14, 17, 18, 26, 30条): every shipped procedure is started by a person of every role its
diagram lets start it, through the engine call the start page uses; the bodies the seed names beyond the CPPCC office
start only what is theirs, and the roster and the plenary record tell 常委 and the leaderships apart."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.definitions import deploy as definitions
from engine.errors import FormInvalid, Forbidden
from engine.models import Instance, OpenTask, User
from engine.procedures.consultation.records import PlenaryLeadership
from engine.procedures.duty import report
from engine.procedures.supervision.records import Inspection

from .consultation_flow import NOTICE, RECORD, RESEARCH, START, ConsultationFlow

TOPIC = {"title": "关于县域冷链物流的协商", "topic_source": "政协提出", "lead_committee": "jjw", "leaders": "李副主席",
         "planned_date": "2026-05-20"}
DATA = {  # the smallest start of each shipped procedure, as its start form asks
    "annual_plan": {"title": "2026年度协商计划", "plan_year": 2026, "solicit_deadline": "2026-01-20",
                    "plenary_date": "2026-02-20", "solicit_days": 10},  # a form drops the fields it does not have
    "appraisal": {"subject": "县教育局“双减”工作", "target_unit": "jyj", "reason": "群众关注", "team": ["member2"]},
    "counterpart": {"path": "对口协商会议", "title": "对口协商", "lead_committee": "jjw", "counterpart_unit": "fgw"},
    "county_event": {"event_kind": "县委政协工作会议", "title": "县委政协工作会议", "held_on": "2026-05-08"},
    "division_task": {"item_no": "5", "title": "年度协商计划", "lead_units": ["zxb"]},
    "duty_assessment": {"member": "member2", "year": 2026},
    "inspection": {"title": "高标准农田建设", "kind": "视察", "source": "政协自选", "rationale": "年度视察计划",
                   "lead_committee": "nyw"},
    "inspection_plan": {"title": "年度视察工作计划", "plan_year": 2026,
                        "inspection_items": [{"title": "高标准农田", "kind": "视察", "planned_date": "2026-05-12"}]},
    "outcome": {"outcome_kind": "政协信息", "outcome_title": "关于冷链物流的建议", "outcome_summary": "建议三条。"},
    "plenary": {"title": "政协第十一届第五次会议", "session_start": "2026-01-10", "session_end": "2026-01-12"},
    "proposal": {"title": "关于城区停车的建议", "category": "社会", "content": "停车难。", "suggestion": "建立体停车场。"},
    "quarterly_forum": TOPIC,
    "sector": {"title": "界别协商", "sector_group": "东风镇委员联络组", "activity_kind": "座谈会",
               "topic_source": "政协提出", "planned_date": "2026-06-10"},
    "sector_plan": {"title": "活动计划", "plan_year": 2026, "sector_group": "东风镇委员联络组",
                    "activities": [{"title": "座谈会", "activity_kind": "座谈会", "planned_date": "2026-06-10"}]},
    "sheqing": {"title": "关于农村饮水的情况", "category": "社会", "content": "部分村饮水不达标。"},
    "special_meeting": TOPIC,
    "topical_meeting": TOPIC,
}
AS_ROLE = {  # what a body outside the procedure's own lane gives: the topic or plan as its own
    ("quarterly_forum", "county_office"): {"topic_source": "县委交办或提出", "raised_by_unit": "xwb"},
    ("quarterly_forum", "gov_office"): {"topic_source": "县政府交办或提出", "raised_by_unit": "zfb"},
    ("special_meeting", "county_office"): {"topic_source": "县委交办或提出", "raised_by_unit": "xwb"},
    ("special_meeting", "gov_office"): {"topic_source": "县政府交办或提出", "raised_by_unit": "zfb"},
    ("counterpart", "department"): {"path": "征求意见", "counterpart_unit": "czj", "opinion_due": "2026-03-01"},
    ("inspection", "committee"): {"lead_committee": "jjw"},
}
PERSON = {"department": "czj_clerk", "committee": "jjw_clerk", "office": "office1", "member": "member1",
          "county_office": "xwb_clerk", "gov_office": "zfb_clerk", "sector_group": "jiebie"}
SEED_STARTERS = {  # the bodies the seed names as starting these, beyond their own lane
    "counterpart": {"committee", "department"}, "quarterly_forum": {"office", "county_office", "gov_office"},
    "special_meeting": {"office", "county_office", "gov_office"}, "inspection": {"office", "committee"},
    "county_event": {"office", "county_office", "gov_office"}, "sector_plan": {"sector_group"},
    "inspection_plan": {"office"}, "sector": {"sector_group"}}


@pytest.fixture
def flow(deployed, users):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def person(session, role: str) -> User:
    username = PERSON.get(role) or session.scalar(
        select(User.username).join(User.roles).where(User.roles.any(key=role)).order_by(User.username).limit(1))
    return session.scalars(select(User).where(User.username == username)).one()


def test_every_procedure_starts_as_every_body_its_diagram_names(flow):
    s = flow.session
    versions = definitions.latest_versions(s)
    assert {v.process_key for v in versions} == set(DATA), "every shipped procedure needs its start data here"
    started = []
    for version in versions:
        roles = definitions.start_roles(s, version)
        if version.process_key in SEED_STARTERS:
            assert roles == SEED_STARTERS[version.process_key], version.process_key
        for role in sorted(roles):
            user = person(s, role)
            data = {**DATA[version.process_key], **AS_ROLE.get((version.process_key, role), {})}
            instance = flow.start(user.username, version.process_key, data)
            works = instance.status == "completed" or s.scalar(
                select(OpenTask.id).where(OpenTask.instance_id == instance.id).limit(1)) is not None
            assert works, (version.process_key, role)
            started.append((version.process_key, role))
    assert ("counterpart", "department") in started and ("inspection", "committee") in started
    assert s.scalar(select(func.count()).select_from(Instance)) >= len(started)


def test_a_department_asks_its_own_committee_only_on_its_own_plan(flow):
    for wrong, field in (({"path": "对口协商会议", "counterpart_unit": "czj"}, "path"),
                         ({"counterpart_unit": "fgw"}, "counterpart_unit")):
        with pytest.raises(FormInvalid) as refused:
            flow.start("czj_clerk", "counterpart", {**DATA["counterpart"], **AS_ROLE[("counterpart", "department")],
                                                    **wrong})
        assert field in refused.value.errors
        flow.session.rollback()
    instance = flow.start("czj_clerk", "counterpart", {**DATA["counterpart"], **AS_ROLE[("counterpart", "department")]})
    assert flow.open(instance)[0].bpmn_id == "provide_draft" and flow.open(instance)[0].candidate_unit == "czj"
    flow.do("czj_clerk", instance, "provide_draft", {"draft_summary": "预算绩效管理办法（征求意见稿）",
                                                     "draft_contact": "李科长 0475-1234567"})
    flow.do("jjw_clerk", instance, "opinion", {"opinion_on": "2026-02-20", "opinion_text": "建议细化评价指标。"})
    flow.do("czj_clerk", instance, "adoption", {"adoption": "全部采纳", "adoption_note": "已采纳。",
                                                "adopted_on": "2026-03-10"})
    record = flow.consultation(instance)
    assert (flow.status(instance), record.path, record.counterpart_unit, record.adoption) == (
        "completed", "征求意见", "czj", "全部采纳")


def test_county_and_government_offices_raise_topics_as_their_own(flow):
    with pytest.raises(FormInvalid) as refused:
        flow.start("xwb_clerk", "quarterly_forum", TOPIC)  # 政协提出 is not 县委's to give
    assert set(refused.value.errors) == {"topic_source", "raised_by_unit"}
    flow.session.rollback()
    forum = flow.start("xwb_clerk", "quarterly_forum", {**TOPIC, **AS_ROLE[("quarterly_forum", "county_office")]})
    meeting = flow.start("zfb_clerk", "special_meeting", {**TOPIC, **AS_ROLE[("special_meeting", "gov_office")]})
    assert (flow.consultation(forum).topic_source, flow.consultation(forum).raised_by_unit) == ("县委交办或提出", "xwb")
    assert flow.consultation(meeting).raised_by_unit == "zfb"
    assert flow.open_ids(forum) == ["notice"]  # the CPPCC office organises it from there
    with pytest.raises(Forbidden):
        flow.start("xwb_clerk", "topical_meeting", TOPIC)  # the standing committee's own meeting is not theirs


def test_a_committee_starts_the_inspection_it_leads(flow):
    with pytest.raises(FormInvalid) as refused:
        flow.start("jjw_clerk", "inspection", DATA["inspection"])  # led by another committee
    assert set(refused.value.errors) == {"lead_committee"}
    flow.session.rollback()
    instance = flow.start("jjw_clerk", "inspection", {**DATA["inspection"], "kind": "调研", "lead_committee": "jjw"})
    record = flow.session.scalars(select(Inspection).where(Inspection.instance_id == instance.id)).one()
    assert record.kind == "调研" and flow.data(instance)["lead_committee"] == "jjw" and flow.open_ids(instance)
    with pytest.raises(Forbidden):
        flow.start("member1", "inspection", DATA["inspection"])


def test_the_roster_marks_standing_members_and_attendance_tells_them_apart(flow):
    records = {r.username: r for r in report.records(flow.session, 2026)}
    assert {u for u, r in records.items() if r.standing} == {"member1", "member4"}
    meeting = flow.start("office1", "topical_meeting", TOPIC)
    flow.do("office1", meeting, "notice", NOTICE)
    flow.do("jjw_clerk", meeting, "research", RESEARCH)
    flow.do("office1", meeting, "record", RECORD)  # member1 (常委) and member2 (not) present
    rows = {r["username"]: r for r in report.attendance(flow.session, 2026)}
    assert (rows["member1"]["kind"], rows["member1"]["standing"]) == ("常委会会议", "常委")
    assert rows["member2"]["standing"] == "委员"


def test_the_plenary_records_which_leaderships_attended(flow):
    instance = flow.start("office1", "plenary", {**DATA["plenary"], "briefing_needed": False, "speech_members": []})
    flow.do("office1", instance, "select_speeches", {})
    record = {**RECORD, "held_on": "2026-01-10", "leaderships_present": ["县委", "县政府", "县人民法院"]}
    with pytest.raises(FormInvalid):
        flow.do("office1", instance, "record", {**record, "leaderships_present": ["县委", "县政协"]})
    flow.session.rollback()
    flow.do("office1", instance, "record", record)
    rows = flow.session.scalars(select(PlenaryLeadership).where(PlenaryLeadership.instance_id == instance.id)
                                .order_by(PlenaryLeadership.id)).all()
    assert [(r.body, r.held_on.isoformat()) for r in rows] == [("县委", "2026-01-10"), ("县政府", "2026-01-10"),
                                                              ("县人民法院", "2026-01-10")]
