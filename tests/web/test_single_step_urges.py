"""The 催报 pages of single steps that wait on a party outside the office (领导阅批, 征求意见, 考核通报…): after the
step's deadline the office's task page renders, refuses 继续等待 without the days, and 不再等待 moves the case on."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine import clock
from engine.models import User
from engine.runtime import schedule
from engine.runtime import verbs as runtime

from .helpers import open_steps, task_id, text

OUTCOME = {"outcome_kind": "主席专报", "outcome_title": "关于城区停车难问题的专报", "outcome_summary": "建议规划建设公共停车场。",
           "outcome_source": "主席专报", "raised_by_members": ["member2"], "raised_by_groups": []}
SEND = {"doc_no": "开政协〔2026〕9号", "sent_on": "2026-04-01", "send_county": False, "send_gov": True}


def _user(db, username):
    return db.scalars(select(User).where(User.username == username)).one()


def _engine_do(db, username, instance_id, bpmn_id, data):
    tid = task_id(db, username, instance_id, bpmn_id)
    runtime.complete_task(db, _user(db, username), tid, data)
    db.commit()


def _urge_page(client, auth, db, instance_id, bpmn_id, expected: str) -> str:
    urge = task_id(db, "office1", instance_id, bpmn_id)
    auth.as_("office1")
    page = client.get(f"/tasks/{urge}")
    assert page.status_code == 200 and expected in text(page) and "不再等待" in text(page)
    refused = client.post(f"/tasks/{urge}", data={"urge_action": "继续等待"})
    assert refused.status_code == 422 and "必填" in text(refused)
    assert bpmn_id in open_steps(db, instance_id)  # state untouched
    done = client.post(f"/tasks/{urge}", data={"urge_action": "不再等待", "urge_note": "已电话催报"})
    assert done.status_code == 302, text(done)
    return urge


def test_the_gov_reading_催报_page(client, auth, db):
    clock.set_now(dt.datetime(2026, 4, 1, 9, 0, tzinfo=clock.TZ))
    try:
        instance = runtime.start_instance(db, _user(db, "office1"), "outcome", OUTCOME)
        db.commit()
        _engine_do(db, "office1", instance.id, "send", SEND)
        _engine_do(db, "zfb_clerk", instance.id, "gov_receive", {"gov_received_on": "2026-04-02",
                                                                 "gov_submitted_to": "县长"})
        clock.set_now(dt.datetime(2026, 5, 6, 9, 0, tzinfo=clock.TZ))
        schedule.tick(db)
        db.commit()
        assert open_steps(db, instance.id) == ["gov_read", "gov_read_urge"]
        _urge_page(client, auth, db, instance.id, "gov_read_urge", "领导阅批的期限已到")
        assert open_steps(db, instance.id) == ["feedback"]
    finally:
        clock.reset()


def test_the_consultation_催报_page_of_an_inspection(client, auth, db):
    clock.set_now(dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.TZ))
    try:
        instance = runtime.start_instance(db, _user(db, "office1"), "inspection", {
            "title": "全县高标准农田建设情况", "kind": "视察", "source": "政协自选",
            "rationale": "群众关注灌溉设施管护。", "lead_committee": "nyw"})
        db.commit()
        _engine_do(db, "xwb_clerk", instance.id, "consult_county", {"county_view": "同意"})
        clock.set_now(dt.datetime(2026, 3, 12, 9, 0, tzinfo=clock.TZ))
        schedule.tick(db)
        db.commit()
        assert open_steps(db, instance.id) == ["consult_gov", "consult_gov_urge"]
        _urge_page(client, auth, db, instance.id, "consult_gov_urge", "会商意见的期限已到")
        assert open_steps(db, instance.id) == ["approve"]
        assert runtime.instance_data(db, instance)["gov_view"] == "未反馈"
        db.rollback()
    finally:
        clock.reset()


def test_the_notice_催报_page_of_a_duty_assessment(client, auth, db):
    from engine.procedures.duty import report as duty
    from engine.procedures.supervision.records import DutyAssessment

    clock.set_now(dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.TZ))
    try:
        instance = duty.start_assessment(db, _user(db, "office1"), "member1", 2026)
        db.commit()
        _engine_do(db, "member1", instance.id, "self_report", {"self_report": "全年参加会议两次。"})
        _engine_do(db, "office1", instance.id, "compile", {"compile_note": "已核对。"})
        _engine_do(db, "zhuxi", instance.id, "assess", {"grade": "称职", "assess_comment": "履职认真。"})
        _engine_do(db, "zzb_ganbu", instance.id, "notify_org", {})
        _engine_do(db, "czj_clerk", instance.id, "notify_unit", {})
        clock.set_now(dt.datetime(2026, 3, 16, 9, 0, tzinfo=clock.TZ))
        schedule.tick(db)
        db.commit()
        assert open_steps(db, instance.id) == ["notify_uf", "notify_uf_urge"]
        _urge_page(client, auth, db, instance.id, "notify_uf_urge", "统战部仍未确认知悉")
        row = db.scalars(select(DutyAssessment).where(DutyAssessment.instance_id == instance.id)).one()
        assert (row.status, row.unacknowledged) == ("考核完成", ["统战部"])
        db.rollback()
    finally:
        clock.reset()
