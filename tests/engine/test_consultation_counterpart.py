"""P6 对口协商: the counterpart meeting, a department asking its committee's opinion, and an invitation."""
from __future__ import annotations

import pytest

from engine import clock
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.errors import FormInvalid

from .consultation_flow import DRAFT, MATERIAL, NOTICE, RECORD, START, ConsultationFlow

MEETING = {"path": "对口协商会议", "title": "关于优化营商环境的对口协商", "lead_committee": "jjw", "counterpart_unit": "fgw",
           "topic_source": "政协提出", "planned_date": "2026-05-12", "material_units": ["czj"]}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def test_counterpart_meeting_with_its_department(flow):
    instance = flow.start("jjw_clerk", "counterpart", MEETING)
    record = flow.consultation(instance)
    assert (record.form, record.path, record.counterpart_unit, record.lead_committee) == ("对口协商", "对口协商会议", "fgw", "jjw")
    assert flow.open_ids(instance) == ["agree_topic"] and flow.open(instance)[0].candidate_unit == "fgw"
    flow.do("fgw_clerk", instance, "agree_topic", {"topic_agreed": "建议调整", "topic_adjustment": "聚焦审批提速。",
                                                   "dept_attendees": ["赵局长"]})
    assert flow.open(instance, "notice")[0].candidate_unit == "jjw"
    assert inbox.tasks_for(flow.session, flow.user("nyw_clerk")) == []
    flow.do("jjw_clerk", instance, "notice", NOTICE)
    # the counterpart department comes first among those that provide materials
    assert sorted(t.candidate_unit for t in flow.open(instance, "provide_materials")) == ["czj", "fgw"]
    flow.do("fgw_clerk", instance, "provide_materials", MATERIAL)
    flow.do("czj_clerk", instance, "provide_materials", MATERIAL)
    flow.do("jjw_clerk", instance, "record", RECORD)
    flow.do("jjw_clerk", instance, "draft", {**DRAFT, "outcome_kind": "专题报告"})
    flow.do("zhuxi", instance, "approve", {"approval": "同意报送"})
    flow.outcome_path(instance, county=False, gov=False, units=("fgw",))
    assert flow.status(instance) == "completed"
    [outcome] = flow.outcomes(instance)
    _, implementations, _ = flow.children(outcome)
    assert [(i.channel, i.unit_code) for i in implementations] == [("直接报送", "fgw")]
    assert [m.kind for m in flow.meetings(instance)] == ["会议"]


def test_a_department_drafting_a_plan_asks_its_committee_for_an_opinion(flow):
    with pytest.raises(FormInvalid) as caught:
        runtime.start_instance(flow.session, flow.user("nyw_clerk"), "counterpart",
                               {**MEETING, "path": "征求意见", "lead_committee": "nyw", "counterpart_unit": "nmj"})
    flow.session.rollback()
    assert caught.value.errors == {"opinion_due": "此项必填"}
    instance = flow.start("nyw_clerk", "counterpart", {
        "path": "征求意见", "title": "开鲁县“十五五”现代农牧业发展规划（征求意见稿）", "lead_committee": "nyw",
        "counterpart_unit": "nmj", "opinion_due": "2026-02-27"})
    assert flow.open_ids(instance) == ["provide_draft"]
    flow.do("nmj_clerk", instance, "provide_draft", {"draft_summary": "规划目标、重点任务和保障措施。",
                                                     "draft_contact": "王科长 0475-1234567"})
    opinion = flow.open(instance, "opinion")[0]
    assert opinion.candidate_unit == "nyw" and opinion.due_at.astimezone(clock.TZ).date().isoformat() == "2026-02-27"
    flow.do("nyw_clerk", instance, "opinion", {"opinion_on": "2026-02-20", "opinion_members": ["member4", "member5"],
                                               "opinion_experts": ["刘研究员（农科所）"],
                                               "opinion_text": "建议增加节水灌溉和黄牛产业的内容。"})
    flow.do("nmj_clerk", instance, "adoption", {"adoption": "部分采纳", "adoption_note": "节水灌溉已采纳，黄牛产业另行研究。",
                                                "adopted_on": "2026-03-10"})
    assert flow.status(instance) == "completed"
    record = flow.consultation(instance)
    assert (record.path, record.adoption, record.opinion, record.status) == (
        "征求意见", "部分采纳", "建议增加节水灌溉和黄牛产业的内容。", "已办结")
    [study] = flow.meetings(instance)
    assert study.kind == "征求意见研究"
    assert [(a.category, a.username or a.name) for a in flow.attendance(study)] == [
        ("委员", "member4"), ("委员", "member5"), ("专家学者", "刘研究员（农科所）")]
    assert flow.outcomes(instance) == []


def test_the_committee_records_a_department_invitation(flow):
    instance = flow.start("kww_clerk", "counterpart", {"path": "受邀参加部门活动", "title": "全县校园安全专项检查",
                                                       "lead_committee": "kww", "counterpart_unit": "jyj"})
    assert flow.open_ids(instance) == ["invited"]
    flow.do("kww_clerk", instance, "invited", {"activity_kind": "专项检查", "held_on": "2026-04-09", "place": "县第一中学",
                                               "members_present": ["member2", "member3"], "dept_people": ["教育局副局长"],
                                               "minutes": "检查了三所学校的安防设施。", "consensus": "建议增配专职保安。"})
    assert flow.status(instance) == "completed"
    [visit] = flow.meetings(instance)
    assert (visit.kind, visit.title) == ("受邀活动", "专项检查：全县校园安全专项检查")
    assert len(flow.attendance(visit)) == 3


def test_only_committees_start_a_meeting(flow):
    from engine.errors import Forbidden

    with pytest.raises(FormInvalid) as refused:  # a department starts only 征求意见 on its own plan (第14条)
        runtime.start_instance(flow.session, flow.user("fgw_clerk"), "counterpart", MEETING)
    assert "path" in refused.value.errors
    flow.session.rollback()
    with pytest.raises(Forbidden):
        runtime.start_instance(flow.session, flow.user("member1"), "counterpart", MEETING)
    flow.session.rollback()
