"""年度履职考核 (P13): every path through the engine API on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.procedures.duty import report as duty
from engine.runtime import verbs as runtime
from engine.errors import Conflict, Forbidden
from engine.people.records import Member
from engine.procedures.supervision.records import DutyAssessment

from .flow import MONDAY
from .supervision_flow import do, open_ids, open_rows


@pytest.fixture
def s(deployed, both_backends):
    clock.set_now(MONDAY)
    return deployed


def assessment(s, instance) -> DutyAssessment:
    s.expire_all()
    return s.scalars(select(DutyAssessment).where(DutyAssessment.instance_id == instance.id)).one()


def to_notices(s, users, username="member1"):
    instance = duty.start_assessment(s, users.office1, username, 2026)
    s.commit()
    assert open_ids(s, instance) == ["self_report"] and open_rows(s, instance)[0].candidate_user == username
    runtime.start_instance(s, getattr(users, username), "sheqing",
                           {"title": "城区停车难", "category": "社会", "content": "老城区停车位不足。"})
    s.commit()
    do(s, getattr(users, username), instance, "self_report", {"self_report": "全年参加会议两次，报送社情民意一件。"})
    assert assessment(s, instance).status == "待汇总履职记录"
    do(s, users.office1, instance, "compile", {"compile_note": "缺提案、全体会议和活动。"})
    record = assessment(s, instance).record
    assert record["year"] == 2026 and record["items"]["sheqing"]["count"] == 1
    assert record["missing"] == ["参加全体会议", "提交提案", "参加政协活动", "大会发言或调研视察报告"]
    do(s, users.zhuxi, instance, "assess", {"grade": "基本称职", "assess_comment": "需加强提案工作。"})
    return instance


def test_assessed_and_told_to_the_organisation_departments_and_the_unit(s, users):
    instance = to_notices(s, users)
    rows = {r.bpmn_id: r for r in open_rows(s, instance)}
    assert set(rows) == {"notify_org", "notify_uf", "notify_unit"} and rows["notify_unit"].candidate_unit == "czj"
    do(s, users.zzb_ganbu, instance, "notify_org", {})
    do(s, users.tzb_ganbu, instance, "notify_uf", {"notice_note": "已存档"})
    assert open_ids(s, instance) == ["notify_unit"]
    do(s, users.czj_clerk, instance, "notify_unit", {})
    s.refresh(instance)
    row = assessment(s, instance)
    assert instance.status == "completed" and row.status == "考核完成"
    assert (row.grade, row.comment, row.self_report) == ("基本称职", "需加强提案工作。", "全年参加会议两次，报送社情民意一件。")


def test_a_member_without_a_work_unit_is_told_only_to_the_two_departments(s, users):
    member = s.scalars(select(Member).where(Member.user_id == users.member4.id)).one()
    member.unit = None
    s.commit()
    instance = to_notices(s, users, "member4")
    assert open_ids(s, instance) == ["notify_org", "notify_uf"]
    do(s, users.zzb_ganbu, instance, "notify_org", {})
    do(s, users.tzb_ganbu, instance, "notify_uf", {})
    s.refresh(instance)
    assert instance.status == "completed"


def test_departments_that_never_acknowledge_are_urged_and_recorded_未反馈(s, users):
    """Each notice has a deadline of 5 working days: then the department is reminded and the office gets a 催报 step —
    wait some working days more, or complete the assessment without the acknowledgement (recorded 未反馈)."""
    import datetime as dt

    from engine.models import Instance
    from engine.runtime import schedule
    from engine.worklist.records import Notification

    instance = to_notices(s, users)
    do(s, users.czj_clerk, instance, "notify_unit", {})
    assert open_ids(s, instance) == ["notify_org", "notify_uf"]
    clock.set_now(MONDAY + dt.timedelta(days=10))
    schedule.tick(s)
    s.commit()
    assert open_ids(s, instance) == ["notify_org", "notify_org_urge", "notify_uf", "notify_uf_urge"]
    assert {users.zzb_ganbu.id, users.tzb_ganbu.id} <= set(s.scalars(select(Notification.user_id).where(
        Notification.instance_id == instance.id, Notification.kind == "overdue")))
    do(s, users.office1, instance, "notify_uf_urge", {"urge_action": "继续等待", "extend_days": 2})
    do(s, users.tzb_ganbu, instance, "notify_uf", {"notice_note": "已存档"})  # answers after the reminder
    assert s.get(Instance, instance.id).next_timer_at is None  # its deadline went with the step
    do(s, users.office1, instance, "notify_org_urge", {"urge_action": "不再等待", "urge_note": "电话催报未果"})
    s.refresh(instance)
    row = assessment(s, instance)
    assert instance.status == "completed" and row.status == "考核完成"
    assert row.unacknowledged == ["组织部"]


def test_one_assessment_per_member_and_year_started_by_the_office(s, users):
    assert duty.start_assessments(s, users.office1, 2026) == 5
    s.commit()
    with pytest.raises(Conflict):
        duty.start_assessment(s, users.office1, "member2", 2026)
    s.rollback()
    assert duty.start_assessments(s, users.office1, 2026) == 0
    with pytest.raises(Forbidden):
        duty.start_assessment(s, users.member1, "member2", 2027)
    s.rollback()
    assert s.scalar(select(DutyAssessment.id).where(DutyAssessment.year == 2027)) is None
