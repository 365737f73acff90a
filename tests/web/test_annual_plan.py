"""The annual plan's start form and the check of the county standing committee's date against the plenary (第9条)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine import clock
from engine.runtime import schedule

from engine.models import Instance, OpenTask, User
from engine.procedures.consultation.records import ConsultationPlan
from engine.runtime import verbs as runtime

from .helpers import scalar, task_id, text

START = {"title": "政协开鲁县委员会2027年度协商计划", "plan_year": "2027", "solicit_days": "10"}
ITEM = {"topic": "城区停车难", "form": "其他形式", "planned_date": "2027-05-18"}


def _engine_do(db, username: str, instance_id: int, bpmn_id: str, data: dict) -> None:
    tid = task_id(db, username, instance_id, bpmn_id)
    actor = db.scalars(select(User).where(User.username == username)).one()
    runtime.complete_task(db, actor, tid, data)
    db.commit()


def test_start_form_asks_the_plenary_date_and_refuses_without_it(client, auth, db):
    auth.as_("office1")
    page = client.get("/processes/annual_plan/start")
    assert page.status_code == 200 and "本年度政协全体会议日期" in text(page) and "征集期限（工作日）" in text(page)
    before = scalar(db, select(Instance.id).order_by(Instance.id.desc()).limit(1))
    refused = client.post("/processes/annual_plan/start", data=START)
    assert refused.status_code == 422 and "必填" in text(refused)
    assert scalar(db, select(Instance.id).order_by(Instance.id.desc()).limit(1)) == before  # nothing started


def test_a_late_standing_committee_date_is_questioned_and_recorded_with_its_reason(client, auth, db):
    auth.as_("office1")
    started = client.post("/processes/annual_plan/start", data={**START, "plenary_date": "2027-02-20"})
    assert started.status_code == 302, text(started)
    instance_id = int(started.location.rsplit("/", 1)[1])
    _engine_do(db, "xwb_clerk", instance_id, "county_topics", {})
    _engine_do(db, "zfb_clerk", instance_id, "gov_topics", {})
    _engine_do(db, "office1", instance_id, "compile", {"candidate_topics": [{"title": "城区停车难", "source": "委员联名提出"}]})
    _engine_do(db, "mishuzhang", instance_id, "joint", {"joint_date": "2027-01-14", "plan_items": [ITEM],
                                                       "joint_participants": ["县委办主任"]})
    _engine_do(db, "zhuxi", instance_id, "chair_review", {"chair_meeting_date": "2027-01-19",
                                                          "chair_decision": "同意报县委"})
    review = task_id(db, "changwei", instance_id, "standing_review")
    auth.as_("changwei")
    page = client.get(f"/tasks/{review}")
    assert page.status_code == 200 and "2027-02-20" in text(page)  # the plenary's date is shown beside the step
    assert client.post(f"/tasks/{review}", data={"standing_meeting_date": "2027-02-21",
                                                 "standing_decision": "同意"}).status_code == 302
    late = task_id(db, "changwei", instance_id, "standing_late")
    page = client.get(f"/tasks/{late}")
    assert page.status_code == 200
    assert "只提醒、不拒绝" in text(page) and "2027-02-21" in text(page) and "2027-02-20" in text(page)
    refused = client.post(f"/tasks/{late}", data={"late_action": "如实记录"})
    assert refused.status_code == 422 and "必填" in text(refused)
    assert scalar(db, select(OpenTask.bpmn_id).where(OpenTask.id == late)) == "standing_late"  # state untouched
    done = client.post(f"/tasks/{late}", data={"late_action": "如实记录", "late_reason": "全体会议提前召开。"})
    assert done.status_code == 302
    plan = db.scalars(select(ConsultationPlan).where(ConsultationPlan.instance_id == instance_id)).one()
    assert (plan.plenary_on.isoformat(), plan.standing_meeting_on.isoformat(), plan.late_reason) == (
        "2027-02-20", "2027-02-21", "全体会议提前召开。")
    db.rollback()
    assert task_id(db, "xwb_clerk", instance_id, "issue")


def test_after_the_deadline_the_office_urges_and_compiles_without_the_silent_units(client, auth, db):
    clock.set_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # a Monday
    try:
        auth.as_("office1")
        started = client.post("/processes/annual_plan/start", data={
            **START, "solicit_days": "3", "plenary_date": "2027-02-20", "solicit_units": ["fgw", "czj"]})
        assert started.status_code == 302, text(started)
        instance_id = int(started.location.rsplit("/", 1)[1])
        _engine_do(db, "fgw_clerk", instance_id, "dept_topics", {"dept_topics": [{"title": "营商环境"}]})
        clock.set_now(dt.datetime(2027, 1, 8, 9, 0, tzinfo=clock.TZ))  # Thursday the 7th was the last day
        schedule.tick(db)
        db.commit()
        urge = task_id(db, "office1", instance_id, "urge")
        auth.as_("office1")
        page = client.get(f"/tasks/{urge}")
        assert page.status_code == 200 and "不再等待，开始汇总" in text(page) and "2027-01-07" in text(page)
        refused = client.post(f"/tasks/{urge}", data={"urge_action": "继续等待"})
        assert refused.status_code == 422 and "必填" in text(refused)
        assert client.post(f"/tasks/{urge}", data={"urge_action": "不再等待", "urge_note": "已电话催报"}).status_code == 302
        compile_task = task_id(db, "office1", instance_id, "compile")
        page = client.get(f"/tasks/{compile_task}")
        assert page.status_code == 200 and "未报送的单位" in text(page) and "未报送" in text(page)
        plan = db.scalars(select(ConsultationPlan).where(ConsultationPlan.instance_id == instance_id)).one()
        assert plan.unreported == ["xwb", "zfb", "czj"] and plan.urged_at is not None
        db.rollback()
    finally:
        clock.reset()
