"""视察与调研 (P12): every path through the engine API on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.runtime import verbs as runtime
from engine.errors import FormInvalid
from engine.procedures.supervision.records import Inspection, Participation

from .flow import MONDAY
from .supervision_flow import do, open_ids, open_rows, run_outcome

START = {"title": "全县高标准农田建设情况", "kind": "视察", "source": "政协自选",
         "rationale": "与年度协商计划第3项衔接，群众关注灌溉设施管护。", "lead_committee": "nyw"}
TEAM = {"team": ["member3", "member4"], "team_leader": "吴海", "schedule": "6月上旬三天", "invite_units": ["nmj"]}


@pytest.fixture
def s(deployed, both_backends):
    clock.set_now(MONDAY)
    return deployed


def inspection(s, instance) -> Inspection:
    s.expire_all()
    return s.scalars(select(Inspection).where(Inspection.instance_id == instance.id)).one()


def start(s, users, **extra):
    instance = runtime.start_instance(s, users.office1, "inspection", {**START, **extra})
    s.commit()
    return instance


def consult(s, users, instance, county="同意", gov="同意"):
    assert open_ids(s, instance) == ["consult_county", "consult_gov"]
    do(s, users.xwb_clerk, instance, "consult_county", {"county_view": county, "county_comment": "建议增加管护机制内容"})
    assert open_ids(s, instance) == ["consult_gov"]
    do(s, users.zfb_clerk, instance, "consult_gov", {"gov_view": gov})


def field_to_report(s, users, instance, rework=False):
    do(s, users.office1, instance, "build_team", TEAM)
    assert sorted(r.candidate_user for r in open_rows(s, instance, "fieldwork")) == ["member3", "member4"]
    do(s, users.member3, instance, "fieldwork", {"attended": True, "notes": "部分机井无人管护。"})
    do(s, users.member4, instance, "fieldwork", {"attended": True})
    assert inspection(s, instance).status == "起草报告"
    do(s, users.nyw_clerk, instance, "draft", {"report_title": "关于全县高标准农田建设情况的视察报告", "draft_report": "初稿"})
    if rework:
        do(s, users.nyw_clerk, instance, "expert_review",
           {"experts": "农大李教授", "expert_opinion": "管护机制建议不够具体。", "conclusion": "修改完善"})
        assert open_ids(s, instance) == ["draft"]
        do(s, users.nyw_clerk, instance, "draft", {"report_title": "关于全县高标准农田建设情况的视察报告", "draft_report": "二稿"})
    do(s, users.nyw_clerk, instance, "expert_review", {"experts": "农大李教授", "expert_opinion": "可行。", "conclusion": "论证通过"})
    assert open_ids(s, instance) == ["finalize"]
    assert {p.report_author for p in s.scalars(select(Participation).where(Participation.instance_id == instance.id))} == {False}
    do(s, users.zhuxi, instance, "finalize", {"final_report": "定稿：建议建立机井管护长效机制。"})


def test_own_topic_consulted_approved_researched_reviewed_and_forwarded(s, users):
    instance = start(s, users)
    assert inspection(s, instance).status == "会商中"
    consult(s, users, instance)
    do(s, users.zhuxi, instance, "approve", {"approval": "同意"})
    field_to_report(s, users, instance, rework=True)
    assert open_ids(s, instance) == ["send"]
    record = inspection(s, instance)
    assert record.final_report == "定稿：建议建立机井管护长效机制。" and record.reported_at is not None
    authors = {(p.user_id, p.attended, p.report_author)
               for p in s.scalars(select(Participation).where(Participation.instance_id == instance.id))}
    assert authors == {(users.member3.id, True, True), (users.member4.id, True, True)}
    data = runtime.instance_data(s, instance)
    assert (data["outcome_kind"], data["outcome_summary"]) == ("调研视察报告", "定稿：建议建立机井管护长效机制。")
    run_outcome(s, users, instance)
    s.refresh(instance)
    assert instance.status == "completed" and inspection(s, instance).status == "已办结"


def test_commissioned_research_skips_the_consultation(s, users):
    instance = start(s, users, source="政府委托", kind="调研")
    assert open_ids(s, instance) == ["approve"]
    do(s, users.zhuxi, instance, "approve", {"approval": "同意"})
    assert open_ids(s, instance) == ["build_team"]


def test_returned_for_revision_then_dropped(s, users):
    instance = start(s, users)
    consult(s, users, instance, county="建议调整")
    (approve,) = open_rows(s, instance, "approve")
    with pytest.raises(FormInvalid):
        runtime.complete_task(s, users.zhuxi, approve.id, {"approval": "退回修改"})
    s.rollback()
    do(s, users.zhuxi, instance, "approve", {"approval": "退回修改", "approval_opinion": "聚焦管护。"})
    assert open_ids(s, instance) == ["revise"] and inspection(s, instance).status == "修改课题"
    do(s, users.office1, instance, "revise", {"title": "全县高标准农田管护情况", "rationale": "聚焦管护。",
                                              "revision_note": "按意见聚焦管护"})
    assert open_ids(s, instance) == ["approve"] and inspection(s, instance).title == "全县高标准农田管护情况"
    do(s, users.zhuxi, instance, "approve", {"approval": "不予立项", "approval_opinion": "年内已有同类视察。"})
    s.refresh(instance)
    assert instance.status == "completed" and inspection(s, instance).status == "不予立项"


def test_an_office_that_never_answers_the_consultation_is_urged_and_not_waited_for(s, users):
    """会商 asks 县委办 and 县政府办 for their view within 5 working days: then they get the overdue reminder and the
    office a 催报 step — wait some working days more, or go on to the chair meeting without it (记为未反馈)."""
    import datetime as dt

    from engine.models import Instance
    from engine.runtime import schedule
    from engine.worklist.records import Notification

    instance = start(s, users)
    do(s, users.zfb_clerk, instance, "consult_gov", {"gov_view": "同意"})
    assert open_ids(s, instance) == ["consult_county"]
    clock.set_now(MONDAY + dt.timedelta(days=10))
    schedule.tick(s)
    s.commit()
    assert open_ids(s, instance) == ["consult_county", "consult_county_urge"]
    assert inspection(s, instance).status == "催报会商意见"
    assert users.xwb_clerk.id in set(s.scalars(select(Notification.user_id).where(
        Notification.instance_id == instance.id, Notification.kind == "overdue")))
    with pytest.raises(FormInvalid):  # 继续等待 needs the days
        do(s, users.office1, instance, "consult_county_urge", {"urge_action": "继续等待"})
    s.rollback()
    do(s, users.office1, instance, "consult_county_urge", {"urge_action": "继续等待", "extend_days": 2})
    assert open_ids(s, instance) == ["consult_county"]
    assert s.get(Instance, instance.id).next_timer_at is not None
    clock.set_now(MONDAY + dt.timedelta(days=17))
    schedule.tick(s)
    s.commit()
    do(s, users.office1, instance, "consult_county_urge", {"urge_action": "不再等待", "urge_note": "电话催报未果"})
    assert open_ids(s, instance) == ["approve"]  # the chair meeting decides without the county office's view
    data = runtime.instance_data(s, instance)
    assert (data["county_view"], data["gov_view"]) == ("未反馈", "同意")
    do(s, users.zhuxi, instance, "approve", {"approval": "同意"})
    assert open_ids(s, instance) == ["build_team"]
