"""The yearly sub-plans: 界别年度活动计划 (第15条) and 年度视察工作计划 (任务20(1)) — drawn up, sent back, approved, and
each item started on its date as the annual plan's items are."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import FormInvalid
from engine.models import Instance, ScheduledStart
from engine.procedures.supervision.records import Inspection
from engine.procedures.yearly.records import YearPlan, YearPlanItem

from .consultation_flow import START, ConsultationFlow

ACTIVITIES = [{"title": "设施农业发展情况专题调研", "activity_kind": "专题调研", "planned_date": "2026-04-08"},
              {"title": "农村养老服务界别协商会", "activity_kind": "界别协商会", "planned_date": "2026-06-10"}]
SECTOR_PLAN = {"title": "东风镇委员联络组2026年活动计划", "plan_year": 2026, "sector_group": "东风镇委员联络组",
               "activities": ACTIVITIES}
ITEMS = [{"title": "全县高标准农田建设", "kind": "视察", "lead_committee": "nyw", "planned_date": "2026-05-12"},
         {"title": "城区学前教育资源", "kind": "调研", "lead_committee": "kww", "planned_date": "2026-09-15"}]
INSPECTION_PLAN = {"title": "县政协2026年度视察工作计划", "plan_year": 2026, "inspection_items": ITEMS,
                   "consulted": True}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def plan_of(flow, instance) -> YearPlan:
    flow.session.expire_all()
    return flow.session.scalars(select(YearPlan).where(YearPlan.instance_id == instance.id)).one()


def items_of(flow, plan) -> list[YearPlanItem]:
    return list(flow.session.scalars(select(YearPlanItem).where(YearPlanItem.plan_id == plan.id)
                                     .order_by(YearPlanItem.seq)))


def test_sector_plan_sent_back_revised_approved_and_its_activities_start_on_their_dates(flow):
    instance = flow.start("jiebie", "sector_plan", SECTOR_PLAN)
    plan = plan_of(flow, instance)
    assert (plan.kind, plan.year, plan.sector_group, plan.approved_at) == ("界别活动", 2026, "东风镇委员联络组", None)
    assert [i.title for i in items_of(flow, plan)] == [a["title"] for a in ACTIVITIES]
    assert flow.open_ids(instance) == ["review"]
    flow.do("office1", instance, "review", {"plan_decision": "退回修改", "plan_comment": "请增加一次座谈会。"})
    assert flow.open_ids(instance) == ["revise"] and plan_of(flow, instance).returns == 1
    assert flow.open(instance)[0].candidate_user == "jiebie"  # the convener who drew it up revises it
    revised = ACTIVITIES + [{"title": "乡村振兴座谈会", "activity_kind": "座谈会", "planned_date": "2026-10-20"}]
    flow.do("jiebie", instance, "revise", {"activities": revised})
    assert flow.session.scalars(select(ScheduledStart)).all() == []  # nothing starts before approval
    flow.do("office1", instance, "review", {"plan_decision": "同意"})
    assert flow.status(instance) == "completed"
    plan = plan_of(flow, instance)
    assert plan.approved_at is not None and plan.decided_on == START.date() and plan.status == "已批准，按计划开展"
    items = items_of(flow, plan)
    assert [(i.kind, i.process_key) for i in items] == [("专题调研", "sector"), ("界别协商会", "sector"),
                                                         ("座谈会", "sector")]
    assert all(i.scheduled_start_id for i in items)

    clock.set_now(dt.datetime(2026, 4, 7, 9, 0, tzinfo=clock.TZ))
    assert flow.tick(hours=1)["started"] == 0
    assert flow.tick(days=1)["started"] == 1
    started = flow.session.scalars(select(Instance).where(Instance.process_key == "sector")).one()
    record = flow.consultation(started)
    assert (record.title, record.sector_group, record.topic_source) == (
        "设施农业发展情况专题调研", "东风镇委员联络组", "界别年度活动计划")
    assert flow.open_ids(started) == ["notice"] and flow.data(started)["activity_kind"] == "专题调研"
    row = flow.session.get(ScheduledStart, items[0].scheduled_start_id)
    assert (row.status, row.instance_id) == ("started", started.id)


def test_a_sector_plan_names_a_liaison_group_of_the_roster(flow):
    with pytest.raises(FormInvalid) as refused:
        flow.start("jiebie", "sector_plan", {**SECTOR_PLAN, "sector_group": "农业界"})
    assert "sector_group" in refused.value.errors
    with pytest.raises(FormInvalid):  # a sector consultation too
        flow.start("jiebie", "sector", {"title": "界别协商", "sector_group": "不存在的组", "activity_kind": "座谈会",
                                        "topic_source": "政协提出", "planned_date": "2026-06-10"})
    flow.session.rollback()
    assert flow.session.scalars(select(YearPlan)).all() == []


def test_inspection_plan_decided_by_the_chair_meeting_starts_each_inspection_on_its_date(flow):
    instance = flow.start("office1", "inspection_plan", INSPECTION_PLAN)
    assert flow.open_ids(instance) == ["decide"]
    flow.do("zhuxi", instance, "decide", {"decided_on": "2026-01-20", "plan_decision": "退回修改",
                                          "plan_comment": "调研时间提前。"})
    assert flow.open_ids(instance) == ["revise"]
    moved = [ITEMS[0], {**ITEMS[1], "planned_date": "2026-08-18"}]
    flow.do("office1", instance, "revise", {"inspection_items": moved})
    flow.do("zhuxi", instance, "decide", {"decided_on": "2026-01-27", "plan_decision": "同意"})
    plan = plan_of(flow, instance)
    assert (plan.kind, plan.returns, plan.decided_on) == ("视察", 1, dt.date(2026, 1, 27))
    assert [(i.kind, i.planned_date.isoformat(), i.lead_committee) for i in items_of(flow, plan)] == [
        ("视察", "2026-05-12", "nyw"), ("调研", "2026-08-18", "kww")]
    clock.set_now(dt.datetime(2026, 5, 12, 10, 0, tzinfo=clock.TZ))
    assert flow.tick()["started"] == 1
    started = flow.session.scalars(select(Instance).where(Instance.process_key == "inspection")).one()
    record = flow.session.scalars(select(Inspection).where(Inspection.instance_id == started.id)).one()
    assert (record.title, record.kind) == ("全县高标准农田建设", "视察")
    assert flow.data(started)["lead_committee"] == "nyw" and flow.open_ids(started) != []
    clock.set_now(dt.datetime(2026, 8, 18, 10, 0, tzinfo=clock.TZ))
    assert flow.tick()["started"] == 1
