"""P3 专题议政性常委会会议, P4 专题协商会, P5 季协商座谈会: every path through the engine API on both backends."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.errors import FormInvalid, NotFound
from engine.procedures.consultation.records import ConsultationMaterial, Meeting

from .consultation_flow import DRAFT, MATERIAL, NOTICE, RECORD, RESEARCH, START, ConsultationFlow

TOPIC = {"title": "关于推进县域冷链物流发展的协商", "topic_source": "年度协商计划", "lead_committee": "jjw",
         "leaders": "李副主席", "planned_date": "2026-03-20", "material_units": ["fgw", "czj"],
         "gov_leaders": ["孙立（副县长）"]}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def test_quarterly_forum_on_a_topic_raised_by_the_government_with_a_returned_draft(flow):
    """Ad-hoc path: a topic outside the plan raised by 县政府, consulted at a 季协商座谈会 started by the office."""
    with pytest.raises(FormInvalid) as caught:
        runtime.start_instance(flow.session, flow.user("office1"), "quarterly_forum",
                               {**TOPIC, "topic_source": "县政府交办或提出"})
    flow.session.rollback()
    assert caught.value.errors == {"raised_by_unit": "此项必填"}
    instance = flow.start("office1", "quarterly_forum", {**TOPIC, "topic_source": "县政府交办或提出", "raised_by_unit": "zfb"})
    record = flow.consultation(instance)
    assert (record.form, record.topic_source, record.raised_by_unit, record.plan_item_id) == (
        "季协商座谈会", "县政府交办或提出", "zfb", None)
    assert (record.status, record.lead_committee) == ("会议筹备", "jjw")

    flow.do("office1", instance, "notice", {**NOTICE, "more_material_units": ["czj", "nmj"]})  # czj is there already
    assert flow.open_ids(instance) == ["provide_materials", "provide_materials", "provide_materials", "research"]
    research = flow.open(instance, "research")[0]
    assert research.candidate_unit == "jjw"
    assert inbox.tasks_for(flow.session, flow.user("nyw_clerk")) == []  # another committee's clerk sees nothing
    materials = flow.open(instance, "provide_materials")
    assert sorted(t.candidate_unit for t in materials) == ["czj", "fgw", "nmj"]
    assert materials[0].due_at.astimezone(clock.TZ).isoformat() == "2026-03-17T17:30:00+08:00"  # 3 days before
    flow.do("fgw_clerk", instance, "provide_materials", MATERIAL)
    flow.do("nmj_clerk", instance, "provide_materials", MATERIAL)
    flow.do("jjw_clerk", instance, "research", RESEARCH)
    assert flow.open_ids(instance) == ["provide_materials"]
    flow.do("czj_clerk", instance, "provide_materials", {**MATERIAL, "material_title": "财政支持情况"})
    assert flow.open_ids(instance) == ["record"]
    assert sorted(m["unit"] for m in flow.data(instance)["materials"]) == ["czj", "fgw", "nmj"]

    flow.do("office1", instance, "record", RECORD)
    flow.do("office1", instance, "draft", DRAFT)  # 专题报告 is the only kind here: its default
    assert flow.consultation(instance).status == "主席审定"
    flow.do("zhuxi", instance, "approve", {"approval": "退回修改", "approval_comment": "建议部分再具体一些。"})
    assert flow.open_ids(instance) == ["draft"]
    assert flow.data(instance)["approval_comment"] == "建议部分再具体一些。"
    flow.do("office1", instance, "draft", {**DRAFT, "outcome_summary": "一、二、三（修改稿）"})
    flow.do("zhuxi", instance, "approve", {"approval": "同意报送"})
    assert flow.open_ids(instance) == ["send"]
    assert flow.consultation(instance).status == "成果待报送"

    # the data contract of the call: only the six inputs go into `outcome`
    inside = flow.data(instance)
    assert {k for k in inside if k.startswith(("outcome_", "raised_by_"))} == {
        "outcome_kind", "outcome_title", "outcome_summary", "outcome_source", "raised_by_members", "raised_by_groups"}
    assert "materials" not in inside and "members_present" not in inside
    assert inside["outcome_kind"] == "专题报告" and inside["outcome_summary"] == "一、二、三（修改稿）"
    assert inside["outcome_source"] == f"季协商座谈会 {instance.business_key}：{TOPIC['title']}"

    flow.outcome_path(instance, county_instruction="请发改委牵头研究。", county_impl=("fgw",))
    assert flow.status(instance) == "completed"
    after = flow.data(instance)
    assert after["outcome_result"]["doc_no"] == "开政协〔2026〕5号" and after["materials"]  # caller data kept
    record = flow.consultation(instance)
    assert record.status == "已办结" and record.closed_at is not None

    research_meeting, meeting = flow.meetings(instance)
    assert (research_meeting.kind, research_meeting.held_on.isoformat(), research_meeting.presiding) == (
        "调研", "2026-03-02", "李副主席")
    assert [(a.category, a.username or a.name) for a in flow.attendance(research_meeting)] == [
        ("委员", "member1"), ("委员", "member2"), ("专家学者", "王教授（通辽职业学院）")]
    assert (meeting.kind, meeting.process_key, meeting.presiding, meeting.held_on.isoformat()) == (
        "会议", "quarterly_forum", "吴海", "2026-03-20")
    people = [(a.category, a.username or a.unit_code or a.name, a.status, a.spoke) for a in flow.attendance(meeting)]
    assert people == [
        ("委员", "member1", "出席", True), ("委员", "member2", "出席", False), ("委员", "member3", "出席", True),
        ("委员", "member4", "请假", False), ("委员", "member5", "缺席", False),
        ("党政领导", "孙立（副县长）", "出席", False), ("部门", "fgw", "出席", False), ("部门", "czj", "出席", False),
        ("部门负责同志", "赵局长（县发改委）", "出席", False), ("专家学者", "王教授（通辽职业学院）", "出席", False)]
    assert flow.attendance(meeting)[0].name == "张明（委员）"
    assert flow.count(ConsultationMaterial, ConsultationMaterial.consultation_id == record.id) == 3
    [outcome] = flow.outcomes(instance)
    assert (outcome.kind, outcome.consultation_id, outcome.source_process, outcome.status) == (
        "专题报告", record.id, "quarterly_forum", "已办结")
    assert outcome.call_id != "main"
    instructions, implementations, feedback = flow.children(outcome)
    assert len(instructions) == 1 and [i.unit_code for i in implementations] == ["fgw"]
    assert sorted(f.recipient for f in feedback) == ["member1", "member3", "县政协经济委员会"]


def test_special_meeting_reports_to_the_party_group_or_to_the_chair(flow):
    party = flow.start("office1", "special_meeting", TOPIC)
    flow.do("office1", party, "notice", NOTICE)
    task = flow.open(party, "research")[0]
    with pytest.raises(FormInvalid) as caught:  # a vice-chair leads the research
        runtime.complete_task(flow.session, flow.user("jjw_clerk"), task.id, {**RESEARCH, "research_leader": ""})
    flow.session.rollback()
    assert caught.value.errors == {"research_leader": "此项必填"}
    flow.do("jjw_clerk", party, "research", RESEARCH)
    for unit in ("fgw", "czj"):
        flow.do(f"{unit}_clerk", party, "provide_materials", MATERIAL)
    flow.do("office1", party, "record", RECORD)
    draft = flow.open(party, "draft")[0]
    with pytest.raises(FormInvalid):
        runtime.complete_task(flow.session, flow.user("office1"), draft.id, {**DRAFT, "outcome_kind": "建议案"})
    flow.session.rollback()
    flow.do("office1", party, "draft", {**DRAFT, "outcome_kind": "政协党组报告"})
    assert flow.open_ids(party) == ["sign"]
    flow.do("dangzu", party, "sign", {"approval": "退回修改", "approval_comment": "请补充数据。"})
    flow.do("office1", party, "draft", {**DRAFT, "outcome_kind": "政协党组报告"})
    flow.do("dangzu", party, "sign", {"approval": "同意报送"})
    flow.outcome_path(party, gov=False)
    assert flow.status(party) == "completed" and flow.outcomes(party)[0].kind == "政协党组报告"

    report = flow.start("office1", "special_meeting", {**TOPIC, "title": "关于乡村振兴人才队伍建设的协商"})
    flow.meeting_to_outcome(report, kind="调研视察报告", approver=("zhuxi", "approve"))
    assert flow.open_ids(report) == ["send"]
    flow.outcome_path(report, county=False, gov=True, gov_instruction="请人社局研究。", gov_impl=("jyj",))
    [outcome] = flow.outcomes(report)
    assert outcome.kind == "调研视察报告"
    instructions, implementations, _ = flow.children(outcome)
    assert [(i.channel, i.impl_units) for i in instructions] == [("县政府", ["jyj"])]
    assert [(i.channel, i.unit_code) for i in implementations] == [("县政府批示", "jyj")]


def test_topical_meeting_adopts_a_proposal_or_signs_a_party_group_report_and_may_skip_research(flow):
    adopted = flow.start("office1", "topical_meeting", TOPIC)
    assert flow.consultation(adopted).form == "专题议政性常委会会议"
    flow.do("office1", adopted, "notice", NOTICE)
    assert flow.open_ids(adopted) == ["provide_materials", "provide_materials", "research"]
    flow.do("jjw_clerk", adopted, "research", RESEARCH)
    for unit in ("fgw", "czj"):
        flow.do(f"{unit}_clerk", adopted, "provide_materials", MATERIAL)
    flow.do("office1", adopted, "record", RECORD)
    flow.do("office1", adopted, "draft", {**DRAFT, "outcome_kind": "建议案"})
    assert flow.open_ids(adopted) == ["adopt"]
    flow.do("changweihui", adopted, "adopt", {"approval": "退回修改", "approval_comment": "第二条再斟酌。"})
    flow.do("office1", adopted, "draft", {**DRAFT, "outcome_kind": "建议案"})
    flow.do("changweihui", adopted, "adopt", {"approval": "通过", "votes_for": 28, "votes_against": 0,
                                              "votes_abstain": 1})
    assert flow.open_ids(adopted) == ["send"]
    flow.outcome_path(adopted)
    assert flow.outcomes(adopted)[0].kind == "建议案" and flow.status(adopted) == "completed"

    signed = flow.start("office1", "topical_meeting", {**TOPIC, "research_needed": False, "material_units": ["nmj"]})
    flow.do("office1", signed, "notice", NOTICE)
    assert flow.open_ids(signed) == ["provide_materials"]  # no research this time
    flow.do("nmj_clerk", signed, "provide_materials", MATERIAL)
    flow.do("office1", signed, "record", RECORD)
    flow.do("office1", signed, "draft", {**DRAFT, "outcome_kind": "政协党组报告"})
    assert flow.open_ids(signed) == ["sign"]
    flow.do("dangzu", signed, "sign", {"approval": "同意报送"})
    flow.outcome_path(signed, gov=False, county_instruction=None)
    assert flow.status(signed) == "completed"
    assert [m.kind for m in flow.meetings(signed)] == ["会议"]
    assert flow.outcomes(signed)[0].kind == "政协党组报告"


def test_a_meeting_without_materials_units_and_the_record_rules(flow):
    instance = flow.start("office1", "quarterly_forum", {**TOPIC, "material_units": []})
    flow.do("office1", instance, "notice", NOTICE)
    assert flow.open_ids(instance) == ["research"]
    flow.do("jjw_clerk", instance, "research", RESEARCH)
    record = flow.open(instance, "record")[0]
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("office1"), record.id, {**RECORD, "members_present": []})
    flow.session.rollback()
    assert "members_present" in caught.value.errors
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("office1"), record.id, {**RECORD, "members_absent": ["nobody"]})
    flow.session.rollback()
    assert "members_absent" in caught.value.errors
    with pytest.raises(NotFound):
        runtime.complete_task(flow.session, flow.user("member1"), record.id, RECORD)
    flow.session.rollback()
    flow.do("office1", instance, "record", RECORD)
    assert flow.count(Meeting, Meeting.process_key == "quarterly_forum", Meeting.kind == "会议") == 1
    assert flow.session.scalars(select(ConsultationMaterial)).all() == []
