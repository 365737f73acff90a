"""P9 协商成果采纳、落实和反馈 (`outcome`): every path, started directly and as a call activity, on both backends."""
from __future__ import annotations

import pytest

from engine import clock, inbox, runtime
from engine.errors import Forbidden, FormInvalid, NotFound

from .consultation_flow import FEEDBACK, IMPLEMENTED, SEND, START, ConsultationFlow

ABSTRACT = {"outcome_kind": "重要提案摘报", "outcome_title": "关于城区停车难问题的提案摘报",
            "outcome_summary": "建议规划建设公共停车场，推行错时停车。", "outcome_source": "2026-012 号提案",
            "raised_by_members": ["member2", "member3"], "raised_by_groups": ["民盟开鲁县支部"]}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def test_sent_to_both_offices_instructed_implemented_and_fed_back(flow):
    instance = flow.start("office1", "outcome", ABSTRACT)
    assert flow.open_ids(instance) == ["send"]
    [outcome] = flow.outcomes(instance)
    assert (outcome.call_id, outcome.kind, outcome.status, outcome.source_process) == ("main", "重要提案摘报", "待报送", "outcome")
    assert outcome.consultation_id is None and outcome.raised_by_members == ["member2", "member3"]

    flow.do("office1", instance, "send", {**SEND, "send_units": ["jyj"]})
    assert flow.open_ids(instance) == ["county_receive", "dept_handle", "gov_receive"]
    assert flow.open(instance, "dept_handle")[0].candidate_unit == "jyj"
    flow.do("xwb_clerk", instance, "county_receive", {"county_received_on": "2026-04-02", "county_submitted_to": "钱进副书记"})
    flow.do("zfb_clerk", instance, "gov_receive", {"gov_received_on": "2026-04-02", "gov_submitted_to": "孙立副县长"})
    assert flow.outcomes(instance)[0].status == "领导阅批"
    flow.do("xwlingdao", instance, "county_read", {
        "county_read_on": "2026-04-03", "county_leader": "钱进", "county_instructed": True,
        "county_instruction": "请发改委、财政局研究落实。", "county_impl_units": ["fgw", "czj"], "county_impl_due": "2026-06-30"})
    flow.do("lingdao", instance, "gov_read", {"gov_read_on": "2026-04-03", "gov_leader": "孙立", "gov_instructed": True,
                                              "gov_instruction": "同意钱书记意见。"})
    assert flow.open_ids(instance) == ["county_notice", "dept_handle", "gov_notice"]
    flow.do("office1", instance, "county_notice", {"county_notified_on": "2026-04-07"})
    implement = flow.open(instance, "county_implement")
    assert sorted(t.candidate_unit for t in implement) == ["czj", "fgw"]
    assert implement[0].due_at.astimezone(clock.TZ).date().isoformat() == "2026-06-30"
    with pytest.raises(NotFound):  # another unit's clerk cannot act on it
        runtime.complete_task(flow.session, flow.user("jyj_clerk"), implement[0].id, IMPLEMENTED)
    flow.session.rollback()
    flow.do("fgw_clerk", instance, "county_implement", IMPLEMENTED)
    flow.do("czj_clerk", instance, "county_implement", {**IMPLEMENTED, "impl_status": "正在落实"})
    flow.do("office1", instance, "gov_notice", {"gov_notified_on": "2026-04-08"})  # no unit named: nothing to implement
    flow.do("jyj_clerk", instance, "dept_handle", {**IMPLEMENTED, "impl_status": "作为工作参考"})
    assert flow.open_ids(instance) == ["feedback"]
    data = flow.data(instance)
    assert sorted(r["unit"] for r in data["county_impl_reports"]) == ["czj", "fgw"]
    assert [r["unit"] for r in data["dept_reports"]] == ["jyj"] and data["gov_impl_reports"] == []
    flow.do("office1", instance, "feedback", FEEDBACK)

    assert flow.status(instance) == "completed"
    [outcome] = flow.outcomes(instance)
    assert (outcome.status, outcome.doc_no, outcome.send_units) == ("已办结", "开政协〔2026〕5号", ["jyj"])
    assert (outcome.county_leader, outcome.gov_leader, outcome.fed_back_on.isoformat()) == ("钱进", "孙立", "2026-05-15")
    instructions, implementations, feedback = flow.children(outcome)
    assert [(i.channel, i.leader, i.impl_units, i.notified_on.isoformat()) for i in instructions] == [
        ("县委", "钱进", ["fgw", "czj"], "2026-04-07"), ("县政府", "孙立", [], "2026-04-08")]
    assert sorted((i.channel, i.unit_code, i.status) for i in implementations) == [
        ("县委批示", "czj", "正在落实"), ("县委批示", "fgw", "已落实"), ("直接报送", "jyj", "作为工作参考")]
    assert [(f.recipient_kind, f.recipient) for f in feedback] == [
        ("委员", "member2"), ("委员", "member3"), ("团体", "民盟开鲁县支部")]
    assert {f.content for f in feedback} == {FEEDBACK["feedback_content"]}


def test_read_without_instruction_and_nobody_to_feed_back(flow):
    instance = flow.start("office1", "outcome", {**ABSTRACT, "outcome_kind": "主席专报", "raised_by_members": [],
                                                 "raised_by_groups": []})
    flow.do("office1", instance, "send", {**SEND, "send_gov": False})
    assert flow.open_ids(instance) == ["county_receive"]
    flow.do("xwb_clerk", instance, "county_receive", {"county_received_on": "2026-04-02", "county_submitted_to": "县委书记"})
    flow.do("xwlingdao", instance, "county_read", {"county_read_on": "2026-04-03", "county_leader": "县委书记",
                                                   "county_instructed": False})
    assert flow.status(instance) == "completed"  # no instruction: nothing to note; nobody raised it: no feedback
    [outcome] = flow.outcomes(instance)
    assert (outcome.status, outcome.county_read_on.isoformat(), outcome.fed_back_on) == ("已办结", "2026-04-03", None)
    assert flow.children(outcome) == ([], [], [])
    assert runtime.instance_data(flow.session, instance)["outcome_result"] == {
        "kind": "主席专报", "title": ABSTRACT["outcome_title"], "doc_no": SEND["doc_no"], "sent_on": SEND["sent_on"],
        "sent_to": ["县委办公室"]}


def test_sent_only_to_departments(flow):
    instance = flow.start("office1", "outcome", {**ABSTRACT, "outcome_kind": "调研视察报告"})
    flow.outcome_path(instance, county=False, gov=False, units=("nmj", "wjw"))
    assert flow.status(instance) == "completed"
    [outcome] = flow.outcomes(instance)
    _, implementations, feedback = flow.children(outcome)
    assert sorted(i.unit_code for i in implementations) == ["nmj", "wjw"] and len(feedback) == 3


def test_forms_refuse_a_send_to_nobody_and_an_instruction_without_text(flow):
    with pytest.raises(FormInvalid) as caught:
        runtime.start_instance(flow.session, flow.user("office1"), "outcome", {**ABSTRACT, "outcome_kind": "随便"})
    flow.session.rollback()
    assert "outcome_kind" in caught.value.errors
    instance = flow.start("office1", "outcome", ABSTRACT)
    send = flow.open(instance, "send")[0]
    with pytest.raises(FormInvalid):
        runtime.complete_task(flow.session, flow.user("office1"), send.id,
                              {**SEND, "send_county": False, "send_gov": False, "send_units": []})
    flow.session.rollback()
    flow.do("office1", instance, "send", {**SEND, "send_gov": False})
    flow.do("xwb_clerk", instance, "county_receive", {"county_received_on": "2026-04-02", "county_submitted_to": "县委书记"})
    read = flow.open(instance, "county_read")[0]
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("xwlingdao"), read.id,
                              {"county_read_on": "2026-04-03", "county_leader": "县委书记", "county_instructed": True})
    flow.session.rollback()
    assert caught.value.errors == {"county_instruction": "此项必填"}


def test_only_the_routing_office_and_leaders_see_their_steps(flow):
    instance = flow.start("office1", "outcome", ABSTRACT)
    flow.do("office1", instance, "send", {**SEND, "send_gov": False})
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("zfb_clerk"))] == []
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("xwb_clerk"))] == ["county_receive"]
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("lingdao"))] == []
    with pytest.raises(Forbidden):
        runtime.start_instance(flow.session, flow.user("member1"), "outcome", ABSTRACT)
    flow.session.rollback()
