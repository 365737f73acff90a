"""Materials for a consultation meeting (P3–P7) are asked of several units with a deadline: when it passes the
organiser is asked to 催报 and may wait some working days more or go on without the silent units (未报送)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import FormInvalid
from engine.models import Instance
from engine.procedures.consultation.records import ConsultationMaterial
from engine.runtime import verbs as runtime
from engine.worklist.records import Notification

from .consultation_flow import MATERIAL, NOTICE, RECORD, RESEARCH, START, ConsultationFlow
from .test_consultation_meetings import TOPIC


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def test_materials_deadline_then_催报_then_the_meeting_goes_on_without_the_silent_unit(flow):
    instance = flow.start("office1", "quarterly_forum", TOPIC)
    flow.do("office1", instance, "notice", {**NOTICE, "more_material_units": ["nmj"]})  # due 17 March 17:30
    assert flow.session.get(Instance, instance.id).next_timer_at.astimezone(clock.TZ).isoformat() == \
        "2026-03-17T17:30:00+08:00"
    flow.do("fgw_clerk", instance, "provide_materials", MATERIAL)
    flow.do("jjw_clerk", instance, "research", RESEARCH)
    assert flow.open_ids(instance) == ["provide_materials", "provide_materials"]  # czj and nmj are silent

    clock.set_now(dt.datetime(2026, 3, 17, 18, 0, tzinfo=clock.TZ))
    flow.tick()
    assert flow.open_ids(instance) == ["provide_materials", "provide_materials", "provide_materials_urge"]
    assert flow.consultation(instance).status == "催报协商材料"
    reminded = set(flow.session.scalars(select(Notification.user_id).where(
        Notification.instance_id == instance.id, Notification.kind == "overdue")))
    assert {flow.user("czj_clerk").id, flow.user("nmj_clerk").id} <= reminded
    assert flow.user("fgw_clerk").id not in reminded

    urge = flow.open(instance, "provide_materials_urge")[0]
    with pytest.raises(FormInvalid):
        runtime.complete_task(flow.session, flow.user("office1"), urge.id, {"urge_action": "继续等待"})
    flow.session.rollback()
    flow.do("office1", instance, "provide_materials_urge", {"urge_action": "继续等待", "extend_days": 1})
    assert flow.session.get(Instance, instance.id).next_timer_at.astimezone(clock.TZ).isoformat() == \
        "2026-03-18T23:59:59+08:00"
    flow.do("nmj_clerk", instance, "provide_materials", MATERIAL)  # answers after the reminder
    flow.tick(days=1, hours=7)  # Thursday 19 March 01:00
    flow.do("office1", instance, "provide_materials_urge", {"urge_action": "不再等待", "urge_note": "电话催报未果"})

    assert flow.open_ids(instance) == ["record"]  # the meeting goes on
    materials = sorted((m["unit"], m["status"]) for m in flow.data(instance)["materials"])
    assert materials == [("czj", "未报送"), ("fgw", "已报送"), ("nmj", "已报送")]
    rows = flow.session.scalars(select(ConsultationMaterial.unit_code).where(
        ConsultationMaterial.consultation_id == flow.consultation(instance).id)).all()
    assert sorted(rows) == ["fgw", "nmj"]  # only what was provided is a material
    flow.do("office1", instance, "record", RECORD)
    assert flow.open_ids(instance) == ["draft"]


def test_materials_all_in_before_the_deadline_leave_no_timer(flow):
    instance = flow.start("office1", "quarterly_forum", TOPIC)
    flow.do("office1", instance, "notice", NOTICE)
    for unit in ("fgw", "czj"):
        flow.do(f"{unit}_clerk", instance, "provide_materials", MATERIAL)
    flow.do("jjw_clerk", instance, "research", RESEARCH)
    assert flow.open_ids(instance) == ["record"]
    assert flow.session.get(Instance, instance.id).next_timer_at is None


def test_speech_deadline_then_催交_then_the_selection_goes_on_without_the_silent_member(flow):
    from engine.procedures.consultation.records import Speech

    from .test_consultation_plenary import SESSION

    instance = flow.start("office1", "plenary", {**SESSION, "briefing_needed": False})
    assert flow.open_ids(instance) == ["speech", "speech", "speech"]
    flow.do("member1", instance, "speech", {"speech_submit": True, "speech_title": "发展县域经济的几点建议",
                                            "speech_content": "……"})
    flow.do("member3", instance, "speech", {"speech_submit": False})
    clock.set_now(dt.datetime(2026, 1, 16, 9, 0, tzinfo=clock.TZ))  # the 15th has passed
    flow.tick()
    assert flow.open_ids(instance) == ["speech", "speech_urge"]
    assert flow.status(instance) == "running"  # the date-only deadline fired as the end of that day
    flow.do("office1", instance, "speech_urge", {"urge_action": "不再等待"})
    assert flow.open_ids(instance) == ["select_speeches"]
    drafts = sorted((d["user"], d["status"]) for d in flow.data(instance)["speech_drafts"])
    assert drafts == [("member1", "已报送"), ("member2", "未报送"), ("member3", "已报送")]
    flow.do("office1", instance, "select_speeches", {"oral_speakers": ["member1"], "written_speakers": []})
    speeches = flow.session.scalars(select(Speech).where(
        Speech.consultation_id == flow.consultation(instance).id).order_by(Speech.username)).all()
    assert [(s.username, s.submitted, s.selected) for s in speeches] == [
        ("member1", True, "口头发言"), ("member3", False, None)]


def test_outcome_sent_to_departments_the_office_goes_on_without_the_silent_one(flow):
    """P9: departments report what they did with an outcome within 20 working days; then 催报, and the office may go on
    to feedback without the silent one (未报送; no implementation is recorded for it)."""
    from .consultation_flow import IMPLEMENTED, SEND
    from .test_consultation_outcome import ABSTRACT

    instance = flow.start("office1", "outcome", {**ABSTRACT, "outcome_kind": "调研视察报告"})
    flow.do("office1", instance, "send", {**SEND, "send_county": False, "send_gov": False,
                                          "send_units": ["nmj", "wjw"]})
    assert flow.open_ids(instance) == ["dept_handle", "dept_handle"]
    flow.do("nmj_clerk", instance, "dept_handle", IMPLEMENTED)
    flow.tick(days=40)
    assert flow.open_ids(instance) == ["dept_handle", "dept_handle_urge"]
    flow.do("office1", instance, "dept_handle_urge", {"urge_action": "不再等待"})
    reports = sorted((r["unit"], r["status"]) for r in flow.data(instance)["dept_reports"])
    assert reports == [("nmj", "已报送"), ("wjw", "未报送")]
    [outcome] = flow.outcomes(instance)
    _, implementations, _ = flow.children(outcome)
    assert [i.unit_code for i in implementations] == ["nmj"]
    assert "dept_handle" not in flow.open_ids(instance)
