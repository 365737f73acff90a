"""The yearly sub-plans' pages: started from 发起事项 with the roster's liaison groups to choose from, decided in the
inbox; a group that is not on the roster is refused with a sentence."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import Instance, ScheduledStart
from engine.procedures.yearly.records import YearPlan, YearPlanItem

from .helpers import do, open_steps, scalar, task_id, text

SECTOR_PLAN = {"title": "开鲁镇委员联络组2026年活动计划", "plan_year": "2026", "sector_group": "开鲁镇委员联络组",
               "activities.0.title": "老旧小区改造座谈会", "activities.0.activity_kind": "座谈会",
               "activities.0.planned_date": "2026-05-20"}


def test_sector_plan_page_offers_the_roster_groups_and_is_approved_from_the_inbox(client, auth, db):
    auth.as_("jiebie")
    page = client.get("/processes/sector_plan/start")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="开鲁镇委员联络组"' in html and 'value="东风镇委员联络组"' in html
    refused = client.post("/processes/sector_plan/start", data={**SECTOR_PLAN, "sector_group": "农业界"})
    assert refused.status_code == 422 and "委员名册中没有委员联络活动组“农业界”" in text(refused)  # the engine checks it
    assert scalar(db, select(YearPlan.id)) is None
    started = client.post("/processes/sector_plan/start", data=SECTOR_PLAN)
    assert started.status_code == 302, text(started)
    instance_id = int(started.location.rsplit("/", 1)[1])
    assert open_steps(db, instance_id) == ["review"]
    auth.as_("office1")
    review = text(client.get(f"/tasks/{task_id(db, 'office1', instance_id, 'review')}"))
    assert "老旧小区改造座谈会" in review and "开鲁镇委员联络组" in review and "审核意见" in review
    assert "老旧小区改造座谈会" in text(client.get(f"/instances/{instance_id}"))
    do(auth, client, db, "office1", instance_id, "review", {"plan_decision": "同意"})
    plan = db.scalars(select(YearPlan).where(YearPlan.instance_id == instance_id)).one()
    assert plan.sector_group == "开鲁镇委员联络组" and plan.approved_at is not None
    item = db.scalars(select(YearPlanItem).where(YearPlanItem.plan_id == plan.id)).one()
    assert db.get(ScheduledStart, item.scheduled_start_id).process_key == "sector"
    db.rollback()


def test_inspection_plan_page_is_the_office_s_and_the_chair_meeting_decides(client, auth, db):
    auth.as_("jiebie")
    assert client.get("/processes/inspection_plan/start").status_code == 403
    auth.as_("office1")
    page = text(client.get("/processes/inspection_plan/start"))
    assert "视察调研课题" in page and "牵头专门委员会" in page
    started = client.post("/processes/inspection_plan/start", data={
        "title": "2026年度视察工作计划", "plan_year": "2026", "inspection_items.0.title": "高标准农田",
        "inspection_items.0.kind": "视察", "inspection_items.0.lead_committee": "nyw",
        "inspection_items.0.planned_date": "2026-05-12"})
    assert started.status_code == 302, text(started)
    instance_id = int(started.location.rsplit("/", 1)[1])
    do(auth, client, db, "zhuxi", instance_id, "decide", {"decided_on": "2026-01-20", "plan_decision": "同意"})
    assert scalar(db, select(Instance.status).where(Instance.id == instance_id)) == "completed"
    assert scalar(db, select(YearPlan.decided_on).where(YearPlan.instance_id == instance_id)).isoformat() == "2026-01-20"


def test_county_event_page_records_a_work_conference(client, auth, db):
    from engine.procedures.yearly.records import CountyEvent

    auth.as_("member1")
    assert client.get("/processes/county_event/start").status_code == 403
    auth.as_("xwb_clerk")
    page = text(client.get("/processes/county_event/start"))
    assert "县委政协工作会议" in page and "参加（列席）的政协领导同志" in page
    missing = client.post("/processes/county_event/start", data={
        "event_kind": "县委重要会议安排政协领导参加", "title": "县委经济工作会议", "held_on": "2026-12-20"})
    assert missing.status_code == 422 and scalar(db, select(CountyEvent.id)) is None
    started = client.post("/processes/county_event/start", data={
        "event_kind": "县委政协工作会议", "title": "中共开鲁县委政协工作会议", "held_on": "2026-06-18"})
    assert started.status_code == 302, text(started)
    event = db.scalars(select(CountyEvent)).one()
    assert (event.kind, event.held_on.isoformat(), event.recorded_by_unit) == ("县委政协工作会议", "2026-06-18", "xwb")
    db.rollback()
