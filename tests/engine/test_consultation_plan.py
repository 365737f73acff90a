"""P1 年度协商计划: topics from every source, the joint meeting, two reviews that can send the draft back, document
number and publication, and each planned item starting its procedure on its date."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.runtime import verbs as runtime
from engine.errors import FormInvalid
from engine.models import Instance, ScheduledStart
from engine.procedures.consultation.records import Consultation, ConsultationPlan, PlanItem, PlanTopic

from .consultation_flow import START, ConsultationFlow

SOLICIT = {"title": "政协开鲁县委员会2026年度协商计划", "plan_year": 2026, "plenary_date": "2026-02-10",
           "solicit_days": 4,
           "solicit_units": ["fgw", "czj"], "solicit_committees": ["jjw", "nyw"], "solicit_note": "请于1月9日前报送。"}
CANDIDATES = [
    {"title": "县域冷链物流发展", "source": "县委交办", "proposer": "县委办公室", "proposed_form": "专题议政性常委会会议"},
    {"title": "乡村振兴人才队伍建设", "source": "县政府提出", "proposer": "县政府办公室", "proposed_form": "专题协商会"},
    {"title": "城区停车难", "source": "委员联名提出", "proposer": "张明等5名委员", "proposed_form": "季协商座谈会"},
    {"title": "营商环境", "source": "县直部门提出", "proposer": "县发改委", "proposed_form": "对口协商"},
    {"title": "设施农业", "source": "界别提出", "proposer": "农业界", "proposed_form": "界别协商"},
    {"title": "养老服务体系", "source": "县人大提出", "proposer": "县人大常委会办公室"},
    {"title": "未成年人保护", "source": "人民团体提出", "proposer": "团县委"},
]
ITEMS = [
    {"topic": "县域冷链物流发展", "form": "专题议政性常委会会议", "planned_date": "2026-04-16", "lead_committee": "jjw",
     "leaders": "李副主席", "department": "fgw", "source": "县委交办"},
    {"topic": "乡村振兴人才队伍建设", "form": "专题协商会", "planned_date": "2026-05-20", "lead_committee": "nyw",
     "leaders": "王副主席", "department": "nmj"},
    {"topic": "城区停车难", "form": "季协商座谈会", "planned_date": "2026-03-18", "lead_committee": "shw"},
    {"topic": "营商环境", "form": "对口协商", "planned_date": "2026-06-10", "lead_committee": "jjw",
     "department": "fgw"},
    {"topic": "设施农业", "form": "界别协商", "planned_date": "2026-07-08", "sector_group": "东风镇委员联络组",
     "department": "nmj"},
    {"topic": "政协委员培训", "form": "其他形式", "planned_date": "2026-08-01"},
]
JOINT = {"joint_date": "2026-01-14", "joint_participants": ["县委办主任", "政府办主任", "政协秘书长"], "plan_items": ITEMS}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def plan_of(flow, instance) -> ConsultationPlan:
    flow.session.expire_all()
    return flow.session.scalars(select(ConsultationPlan).where(ConsultationPlan.instance_id == instance.id)).one()


def solicit_and_compile(flow) -> Instance:
    instance = flow.start("office1", "annual_plan", SOLICIT)
    assert plan_of(flow, instance).status == "征集议题"
    assert flow.open_ids(instance) == ["committee_topics", "committee_topics", "county_topics", "dept_topics",
                                       "dept_topics", "gov_topics"]
    county = flow.open(instance, "county_topics")[0]
    assert county.due_at.astimezone(clock.TZ).isoformat() == "2026-01-09T23:59:59+08:00"
    flow.do("xwb_clerk", instance, "county_topics", {"county_topics": [
        {"title": "县域冷链物流发展", "kind": "县委交办", "proposed_form": "专题议政性常委会会议"}]})
    flow.do("zfb_clerk", instance, "gov_topics", {"gov_topics": [
        {"title": "乡村振兴人才队伍建设", "kind": "县政府提出", "rationale": "人才短缺"}]})
    flow.do("fgw_clerk", instance, "dept_topics", {"dept_topics": [{"title": "营商环境", "proposed_form": "对口协商"}]})
    flow.do("czj_clerk", instance, "dept_topics", {})  # nothing to propose
    flow.do("jjw_clerk", instance, "committee_topics", {"committee_topics": [
        {"title": "城区停车难", "source": "委员联名提出", "proposer": "张明等5名委员"}]})
    flow.do("nyw_clerk", instance, "committee_topics", {"committee_topics": [
        {"title": "设施农业", "source": "界别提出", "proposer": "农业界"}]})
    assert flow.open_ids(instance) == ["compile"]
    data = flow.data(instance)
    assert [t["title"] for t in data["county_topics"]] == ["县域冷链物流发展"]
    assert sorted(item["unit"] for item in data["dept_topic_lists"]) == ["czj", "fgw"]
    flow.do("office1", instance, "compile", {"candidate_topics": CANDIDATES})
    return instance


def test_plan_from_solicitation_to_publication_with_both_reviews_sending_it_back(flow):
    instance = solicit_and_compile(flow)
    plan = plan_of(flow, instance)
    topics = flow.session.scalars(select(PlanTopic).where(PlanTopic.plan_id == plan.id).order_by(PlanTopic.seq)).all()
    assert [t.source for t in topics] == [c["source"] for c in CANDIDATES] and plan.status == "联席会议会商"

    flow.do("mishuzhang", instance, "joint", {**JOINT, "plan_items": ITEMS[:2]})
    assert flow.open_ids(instance) == ["chair_review"]
    flow.do("zhuxi", instance, "chair_review", {"chair_meeting_date": "2026-01-16", "chair_decision": "退回修改",
                                                "chair_comment": "季协商座谈会和对口协商的议题要补上。"})
    assert flow.open_ids(instance) == ["joint"] and plan_of(flow, instance).returns == 1
    flow.do("mishuzhang", instance, "joint", JOINT)
    items = flow.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.seq)).all()
    assert [(i.form, i.process_key) for i in items] == [
        ("专题议政性常委会会议", "topical_meeting"), ("专题协商会", "special_meeting"), ("季协商座谈会", "quarterly_forum"),
        ("对口协商", "counterpart"), ("界别协商", "sector"), ("其他形式", None)]
    flow.do("zhuxi", instance, "chair_review", {"chair_meeting_date": "2026-01-19", "chair_decision": "同意报县委"})
    assert flow.open_ids(instance) == ["standing_review"] and plan_of(flow, instance).status == "县委常委会研究"
    flow.do("changwei", instance, "standing_review", {"standing_meeting_date": "2026-01-21",
                                                      "standing_decision": "退回修改", "standing_comment": "调整日期。"})
    assert flow.open_ids(instance) == ["joint"]
    assert flow.session.scalars(select(ScheduledStart)).all() == []  # nothing starts before approval
    flow.do("mishuzhang", instance, "joint", JOINT)
    flow.do("zhuxi", instance, "chair_review", {"chair_meeting_date": "2026-01-22", "chair_decision": "同意报县委"})
    flow.do("changwei", instance, "standing_review", {"standing_meeting_date": "2026-01-23", "standing_decision": "同意"})

    plan = plan_of(flow, instance)
    assert plan.approved_at is not None and plan.in_work_points and plan.returns == 2
    starts = flow.session.scalars(select(ScheduledStart).order_by(ScheduledStart.start_at)).all()
    assert [(s.process_key, s.start_at.astimezone(clock.TZ).isoformat()) for s in starts] == [
        ("quarterly_forum", "2026-03-18T09:00:00+08:00"), ("topical_meeting", "2026-04-16T09:00:00+08:00"),
        ("special_meeting", "2026-05-20T09:00:00+08:00"), ("counterpart", "2026-06-10T09:00:00+08:00"),
        ("sector", "2026-07-08T09:00:00+08:00")]
    assert all(s.source_instance_id == instance.id and s.requested_by_id == flow.user("office1").id for s in starts)

    flow.do("xwb_clerk", instance, "issue", {"doc_no": "开党办发〔2026〕3号", "issued_on": "2026-01-26"})
    flow.do("office1", instance, "publish", {"published_on": "2026-01-27", "media": ["开鲁县融媒体中心", "开鲁政协网"]})
    assert flow.status(instance) == "completed"
    plan = plan_of(flow, instance)
    assert (plan.status, plan.doc_no, plan.issued_on.isoformat(), plan.media) == (
        "已发布", "开党办发〔2026〕3号", "2026-01-26", ["开鲁县融媒体中心", "开鲁政协网"])

    # each planned item starts its procedure on its date, with topic, committee and leaders filled in
    clock.set_now(dt.datetime(2026, 3, 17, 9, 0, tzinfo=clock.TZ))
    assert flow.tick(hours=1)["started"] == 0
    assert flow.tick(days=1)["started"] == 1
    forum = flow.session.scalars(select(Instance).where(Instance.process_key == "quarterly_forum")).one()
    assert forum.title == "城区停车难" and flow.open_ids(forum) == ["notice"]
    record = flow.consultation(forum)
    item = flow.session.get(PlanItem, record.plan_item_id)
    assert (record.topic_source, record.lead_committee, item.seq, item.instance_id) == ("年度协商计划", "shw", 3, forum.id)
    clock.set_now(dt.datetime(2026, 7, 8, 10, 0, tzinfo=clock.TZ))
    assert flow.tick()["started"] == 4
    started = {i.process_key: i for i in flow.session.scalars(select(Instance).where(Instance.process_key.in_(
        ["topical_meeting", "special_meeting", "counterpart", "sector"])))}
    topical = flow.data(started["topical_meeting"])
    assert (topical["lead_committee"], topical["leaders"], topical["material_units"], topical["research_needed"]) == (
        "jjw", "李副主席", ["fgw"], True)
    counterpart = flow.data(started["counterpart"])
    assert (counterpart["path"], counterpart["counterpart_unit"], counterpart["material_units"]) == (
        "对口协商会议", "fgw", ["fgw"])
    assert flow.open(started["counterpart"])[0].candidate_unit == "fgw"
    assert flow.consultation(started["sector"]).sector_group == "东风镇委员联络组"
    assert flow.session.scalar(select(Consultation.plan_item_id).where(
        Consultation.instance_id == started["special_meeting"].id)) is not None


def test_plan_items_must_name_what_their_form_needs(flow):
    instance = solicit_and_compile(flow)
    joint = flow.open(instance, "joint")[0]
    for bad in ({"topic": "营商环境", "form": "对口协商", "planned_date": "2026-06-10", "lead_committee": "jjw"},
                {"topic": "设施农业", "form": "界别协商", "planned_date": "2026-07-08"},
                {"topic": "冷链", "form": "专题协商会", "planned_date": "2026-05-20"}):
        with pytest.raises(FormInvalid):
            runtime.complete_task(flow.session, flow.user("mishuzhang"), joint.id, {**JOINT, "plan_items": [bad]})
        flow.session.rollback()
    with pytest.raises(FormInvalid):
        runtime.complete_task(flow.session, flow.user("mishuzhang"), joint.id, {**JOINT, "plan_items": []})
    flow.session.rollback()
    assert flow.open_ids(instance) == ["joint"]


def test_a_compiled_list_is_required(flow):
    instance = flow.start("office1", "annual_plan", {**SOLICIT, "solicit_units": [], "solicit_committees": []})
    assert flow.open_ids(instance) == ["county_topics", "gov_topics"]
    flow.do("xwb_clerk", instance, "county_topics", {})
    flow.do("zfb_clerk", instance, "gov_topics", {})
    compile_task = flow.open(instance, "compile")[0]
    with pytest.raises(FormInvalid):
        runtime.complete_task(flow.session, flow.user("office1"), compile_task.id, {"candidate_topics": []})
    flow.session.rollback()


def test_a_decision_not_before_the_plenary_is_questioned_then_corrected_or_recorded_with_its_reason(flow):
    """第9条: decided before the plenary. The step warns rather than refuses: a true late date must be recordable
    (the plan is still issued, the board counts O4 as missed); a mistyped one is corrected."""
    instance = solicit_and_compile(flow)
    assert plan_of(flow, instance).plenary_on == dt.date(2026, 2, 10)
    flow.do("mishuzhang", instance, "joint", JOINT)
    flow.do("zhuxi", instance, "chair_review", {"chair_meeting_date": "2026-01-19", "chair_decision": "同意报县委"})
    flow.do("changwei", instance, "standing_review", {"standing_meeting_date": "2026-02-10", "standing_decision": "同意"})
    assert flow.open_ids(instance) == ["standing_late"] and plan_of(flow, instance).status == "核实研究日期"
    assert plan_of(flow, instance).approved_at is None  # a date being checked approves nothing yet
    assert flow.session.scalars(select(ScheduledStart)).all() == []
    late = flow.open(instance, "standing_late")[0]
    with pytest.raises(FormInvalid) as refused:  # recording it as it happened needs the reason
        runtime.complete_task(flow.session, flow.user("changwei"), late.id, {"late_action": "如实记录"})
    flow.session.rollback()
    assert "late_reason" in refused.value.errors
    flow.do("changwei", instance, "standing_late", {"late_action": "更正日期"})
    assert flow.open_ids(instance) == ["standing_review"]
    flow.do("changwei", instance, "standing_review", {"standing_meeting_date": "2026-02-12", "standing_decision": "同意"})
    assert flow.open_ids(instance) == ["standing_late"]
    flow.do("changwei", instance, "standing_late", {"late_action": "如实记录",
                                                    "late_reason": "全体会议提前召开，县委常委会会后研究确定。"})
    assert flow.open_ids(instance) == ["issue"]
    plan = plan_of(flow, instance)
    assert (plan.standing_meeting_on, plan.plenary_on) == (dt.date(2026, 2, 12), dt.date(2026, 2, 10))
    assert plan.late_reason == "全体会议提前召开，县委常委会会后研究确定。" and plan.approved_at is not None
    assert len(flow.session.scalars(select(ScheduledStart)).all()) == 5

    from engine.board import obligations
    o4 = {o.id: o for o in obligations.load()}["O4"]
    board = obligations.evaluate(flow.session, [o4], 2026, dt.date(2026, 3, 1))[0]
    assert board.state == "missed" and board.figure == "2026-02-12 审定，2026-02-10 全体会议"


def test_a_decision_before_the_plenary_goes_straight_to_issue(flow):
    instance = solicit_and_compile(flow)
    flow.do("mishuzhang", instance, "joint", JOINT)
    flow.do("zhuxi", instance, "chair_review", {"chair_meeting_date": "2026-01-19", "chair_decision": "同意报县委"})
    flow.do("changwei", instance, "standing_review", {"standing_meeting_date": "2026-02-09", "standing_decision": "同意"})
    assert flow.open_ids(instance) == ["issue"]
    plan = plan_of(flow, instance)
    assert plan.late_reason is None and plan.approved_at is not None
    with pytest.raises(FormInvalid) as refused:  # the plan records the plenary's date from the start
        runtime.start_instance(flow.session, flow.user("office1"), "annual_plan",
                               {k: v for k, v in SOLICIT.items() if k != "plenary_date"})
    flow.session.rollback()
    assert "plenary_date" in refused.value.errors


def test_solicitation_has_a_deadline_then_催报_then_the_office_compiles_without_the_silent_units(flow):
    """第7条 solicitation waits for no one forever: at the deadline (working days set at the start) the units still
    silent are reminded, the office urges them and either waits some working days more or compiles without them —
    each recorded as 未报送."""
    from engine.worklist.records import Notification

    instance = flow.start("office1", "annual_plan", SOLICIT)  # 4 working days from Monday 5 January: Friday the 9th
    plan = plan_of(flow, instance)
    assert plan.solicit_deadline == dt.date(2026, 1, 9) and plan.urged_at is None
    assert flow.session.get(Instance, instance.id).next_timer_at.astimezone(clock.TZ).isoformat() == \
        "2026-01-09T23:59:59+08:00"
    flow.do("xwb_clerk", instance, "county_topics", {"county_topics": [{"title": "县域冷链物流发展", "kind": "县委交办"}]})
    flow.do("fgw_clerk", instance, "dept_topics", {"dept_topics": [{"title": "营商环境"}]})
    flow.do("jjw_clerk", instance, "committee_topics", {"committee_topics": [
        {"title": "城区停车难", "source": "委员联名提出"}]})

    assert flow.tick(days=4, hours=14)["timers"] == 0  # Friday 23:00: not yet
    flow.tick(hours=2)  # Saturday 01:00: the deadline passed
    assert flow.open_ids(instance) == ["committee_topics", "dept_topics", "gov_topics", "urge"]
    plan = plan_of(flow, instance)
    assert plan.urged_at is not None and plan.status == "征集截止，催报"
    overdue = {n.user_id for n in flow.session.scalars(select(Notification).where(
        Notification.instance_id == instance.id, Notification.kind == "overdue"))}
    assert {flow.user(u).id for u in ("zfb_clerk", "czj_clerk", "nyw_clerk")} <= overdue  # the 催报 reminder
    assert not {flow.user(u).id for u in ("xwb_clerk", "fgw_clerk", "jjw_clerk")} & overdue  # those who answered

    urge = flow.open(instance, "urge")[0]
    with pytest.raises(FormInvalid):  # waiting longer needs the number of days
        runtime.complete_task(flow.session, flow.user("office1"), urge.id, {"urge_action": "继续等待"})
    flow.session.rollback()
    flow.do("office1", instance, "urge", {"urge_action": "继续等待", "extend_days": 2,
                                          "urge_note": "1月12日电话催报县财政局、农业农村委员会和县政府办公室"})
    assert plan_of(flow, instance).solicit_deadline == dt.date(2026, 1, 13)  # Saturday + 2 working days
    assert flow.open_ids(instance) == ["committee_topics", "dept_topics", "gov_topics"]
    flow.do("nyw_clerk", instance, "committee_topics", {})  # answers after the reminder
    flow.tick(days=5)  # Thursday 15 January 01:00
    assert flow.open_ids(instance) == ["dept_topics", "gov_topics", "urge"]
    flow.do("office1", instance, "urge", {"urge_action": "不再等待"})

    assert flow.open_ids(instance) == ["compile"]  # the silent units' steps are closed
    assert flow.session.get(Instance, instance.id).next_timer_at is None
    data = flow.data(instance)
    assert sorted((x["unit"], x["status"]) for x in data["dept_topic_lists"]) == [("czj", "未报送"), ("fgw", "已报送")]
    assert sorted((x["unit"], x["status"]) for x in data["committee_topic_lists"]) == [("jjw", "已报送"),
                                                                                       ("nyw", "已报送")]
    assert (data["county_status"], data["gov_status"], data["gov_topics"]) == ("已报送", "未报送", [])
    assert plan_of(flow, instance).unreported == ["zfb", "czj"]
    flow.do("office1", instance, "compile", {"candidate_topics": CANDIDATES})
    assert flow.open_ids(instance) == ["joint"] and plan_of(flow, instance).unreported == ["zfb", "czj"]
