"""P9 协商成果采纳、落实和反馈 (`outcome`): every path, started directly and as a call activity, on both backends."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.worklist import inbox
from engine.runtime import verbs as runtime
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


CALLER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="reporter" name="报送方" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="政协办公室">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>prepare</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>call</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare" name="准备报送"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>own = "调用方自己的数据"
outcome_kind = "民主评议报告"
outcome_title = "关于县农牧局专项工作的民主评议报告"
outcome_summary = "评议意见三条。"
outcome_source = "民主评议"
raised_by_members = ["member1"]
SKIP</bpmn:script></bpmn:scriptTask>
    <bpmn:callActivity id="call" name="成果采纳、落实和反馈" calledElement="outcome">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="call"/>
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _deploy_caller(flow, tmp_path, groups_line: str, monkeypatch):
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})  # version ids of extra diagrams differ from test to test
    (tmp_path / "reporter.bpmn").write_text(CALLER.replace("SKIP", groups_line), encoding="utf-8")
    definitions.deploy_directory(flow.session, tmp_path)
    flow.session.commit()


def test_a_caller_gets_only_the_result_back_and_its_outcome_is_recorded(flow, tmp_path, monkeypatch):
    """The data contract: the six inputs go in, `outcome_result` comes back, the caller's own data stays; another
    procedure's projector records its outcomes with `record_outcomes`."""
    from engine import registry
    from engine.procedures.consultation import projection as consultation

    _deploy_caller(flow, tmp_path, "raised_by_groups = []", monkeypatch)
    monkeypatch.setitem(registry.get().projectors, "reporter",
                        lambda session, instance, workflow, data, **kw: consultation.record_outcomes(session, instance,
                                                                                                    workflow))
    instance = flow.start("office1", "reporter", {})
    inside = flow.data(instance)
    assert "own" not in inside and inside["outcome_kind"] == "民主评议报告"
    flow.outcome_path(instance, gov=False, county_instruction="请农牧局整改。", county_impl=("nmj",))
    assert flow.status(instance) == "completed"
    after = flow.data(instance)
    assert after["own"] == "调用方自己的数据" and "county_instruction" not in after
    assert after["outcome_result"] == {"kind": "民主评议报告", "title": "关于县农牧局专项工作的民主评议报告",
                                       "doc_no": SEND["doc_no"], "sent_on": SEND["sent_on"], "sent_to": ["县委办公室"]}
    [outcome] = flow.outcomes(instance)
    assert (outcome.kind, outcome.source_process, outcome.consultation_id, outcome.status) == (
        "民主评议报告", "reporter", None, "已办结")
    instructions, implementations, feedback = flow.children(outcome)
    assert len(instructions) == len(implementations) == len(feedback) == 1


def test_a_caller_that_leaves_out_an_input_is_stopped(flow, tmp_path, monkeypatch):
    from engine.runtime.verbs import ProcessFault

    _deploy_caller(flow, tmp_path, "", monkeypatch)  # no raised_by_groups
    with pytest.raises(ProcessFault):
        runtime.start_instance(flow.session, flow.user("office1"), "reporter", {})
    flow.session.rollback()


def test_a_leader_who_never_reads_it_the_office_waits_more_then_goes_on(flow):
    """阅批 has a deadline of 10 working days: then the leader gets the overdue reminder and the office a 催报 step —
    wait some working days more, or go on without the reading (recorded 未反馈); the outcome goes on to feedback."""
    from engine.models import Instance
    from engine.worklist.records import Notification

    instance = flow.start("office1", "outcome", ABSTRACT)
    flow.do("office1", instance, "send", {**SEND, "send_gov": False})
    flow.do("xwb_clerk", instance, "county_receive", {"county_received_on": "2026-04-02", "county_submitted_to": "县委书记"})
    assert flow.open_ids(instance) == ["county_read"]
    flow.tick(days=20)
    assert flow.open_ids(instance) == ["county_read", "county_read_urge"]
    assert flow.user("xwlingdao").id in set(flow.session.scalars(select(Notification.user_id).where(
        Notification.instance_id == instance.id, Notification.kind == "overdue")))
    flow.do("office1", instance, "county_read_urge", {"urge_action": "继续等待", "extend_days": 3})
    assert flow.open_ids(instance) == ["county_read"]
    assert flow.session.get(Instance, instance.id).next_timer_at is not None
    flow.tick(days=7)
    flow.do("office1", instance, "county_read_urge", {"urge_action": "不再等待", "urge_note": "电话催报未果"})
    assert flow.open_ids(instance) == ["feedback"]  # the reading is no longer awaited: the outcome goes on
    [outcome] = flow.outcomes(instance)
    assert (outcome.county_leader, outcome.county_read_on) == ("未反馈", None)
    assert flow.children(outcome)[0] == []  # no instruction recorded
    flow.do("office1", instance, "feedback", FEEDBACK)
    assert flow.status(instance) == "completed"


def test_a_leader_who_reads_in_time_leaves_no_催报(flow):
    instance = flow.start("office1", "outcome", ABSTRACT)
    flow.do("office1", instance, "send", {**SEND, "send_county": False})
    flow.do("zfb_clerk", instance, "gov_receive", {"gov_received_on": "2026-04-02", "gov_submitted_to": "县长"})
    flow.do("lingdao", instance, "gov_read", {"gov_read_on": "2026-04-03", "gov_leader": "县长",
                                                "gov_instructed": False})
    assert flow.open_ids(instance) == ["feedback"]
    flow.tick(days=30)
    assert flow.open_ids(instance) == ["feedback"]  # the deadline's timer went with the step
