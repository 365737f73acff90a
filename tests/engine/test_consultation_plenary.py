"""P2 全体会议协商: briefing before the session, speech selection, the session record, opinions reported through P9."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.runtime import verbs as runtime
from engine.errors import FormInvalid, NotFound
from engine.procedures.consultation.records import ConsultationMaterial, Speech

from .consultation_flow import DRAFT, MATERIAL, RECORD, START, ConsultationFlow

SESSION = {"title": "政协开鲁县第十一届委员会第五次会议", "session_start": "2026-01-20", "session_end": "2026-01-23",
           "briefing_needed": True, "briefing_units": ["fgw", "czj"], "speech_members": ["member1", "member2", "member3"],
           "speech_due": "2026-01-15"}
PLENARY_RECORD = {**RECORD, "held_on": "2026-01-20", "held_until": "2026-01-23", "presiding": "吴海",
                  "leaders_present": ["县委书记", "县人大常委会主任", "县长", "县法院院长", "县检察院检察长"],
                  "group_discussions": ["第一组：经济界，召集人张明，孙立副县长参加"], "speakers": ["member1"]}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def test_briefing_speeches_session_and_a_party_group_report(flow):
    instance = flow.start("office1", "plenary", SESSION)
    assert flow.consultation(instance).form == "全体会议协商"
    assert flow.open_ids(instance) == ["briefing_materials", "briefing_materials", "speech", "speech", "speech"]
    speech = flow.open(instance, "speech")
    assert sorted(t.candidate_user for t in speech) == ["member1", "member2", "member3"]
    assert speech[0].due_at.astimezone(clock.TZ).date().isoformat() == "2026-01-15"
    with pytest.raises(NotFound):  # each member only their own
        runtime.complete_task(flow.session, flow.user("member2"),
                              next(t for t in speech if t.candidate_user == "member1").id, {"speech_submit": False})
    flow.session.rollback()
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("member1"),
                              next(t for t in speech if t.candidate_user == "member1").id, {"speech_submit": True})
    flow.session.rollback()
    assert set(caught.value.errors) == {"speech_title", "speech_content"}
    flow.do("member1", instance, "speech", {"speech_submit": True, "speech_title": "发展县域经济的几点建议",
                                            "speech_content": "……"})
    flow.do("member2", instance, "speech", {"speech_submit": True, "speech_title": "关于义务教育均衡发展",
                                            "speech_content": "……"})
    flow.do("member3", instance, "speech", {"speech_submit": False})
    assert flow.open_ids(instance) == ["briefing_materials", "briefing_materials", "select_speeches"]
    flow.do("office1", instance, "select_speeches", {"oral_speakers": ["member1"], "written_speakers": ["member2"]})
    for unit in ("fgw", "czj"):
        flow.do(f"{unit}_clerk", instance, "briefing_materials", {**MATERIAL, "material_title": "建议案、提案办理情况"})
    assert flow.open_ids(instance) == ["briefing"]
    flow.do("office1", instance, "briefing", {"briefing_date": "2026-01-16", "briefing_presiding": "周文",
                                              "briefing_leaders": ["赵局长（县发改委）", "钱局长（县财政局）"],
                                              "briefing_members": ["member1", "member2", "member4"],
                                              "briefing_content": "通报了2025年工作和建议案、提案办理情况。"})
    assert flow.open_ids(instance) == ["record"]
    flow.do("office1", instance, "record", PLENARY_RECORD)
    flow.do("office1", instance, "draft", {**DRAFT, "outcome_kind": "政协党组报告",
                                           "outcome_title": "关于全会期间委员意见建议的报告"})
    assert flow.open_ids(instance) == ["sign"]
    flow.do("dangzu", instance, "sign", {"approval": "同意报送"})
    flow.outcome_path(instance, gov=False)
    assert flow.status(instance) == "completed"

    briefing, session = flow.meetings(instance)
    assert (briefing.kind, briefing.held_on.isoformat(), session.kind, session.held_until.isoformat()) == (
        "情况通报会", "2026-01-16", "会议", "2026-01-23")
    assert len([a for a in flow.attendance(briefing) if a.category == "委员"]) == 3
    assert [a.name for a in flow.attendance(session) if a.category == "党政领导"] == PLENARY_RECORD["leaders_present"]
    speeches = {s.username: (s.submitted, s.selected) for s in flow.session.scalars(select(Speech))}
    assert speeches == {"member1": (True, "口头发言"), "member2": (True, "书面发言"), "member3": (False, None)}
    kinds = flow.session.scalars(select(ConsultationMaterial.kind)).all()
    assert kinds == ["通报材料", "通报材料"]
    assert flow.outcomes(instance)[0].kind == "政协党组报告"


def test_without_briefing_nor_speeches_opinions_go_out_as_cppcc_information(flow):
    instance = flow.start("office1", "plenary", {**SESSION, "briefing_needed": False, "briefing_units": [],
                                                 "speech_members": []})
    assert flow.open_ids(instance) == ["select_speeches"]  # no speech invited: straight to the selection
    flow.do("office1", instance, "select_speeches", {})
    assert flow.open_ids(instance) == ["record"]
    flow.do("office1", instance, "record", PLENARY_RECORD)
    flow.do("office1", instance, "draft", {**DRAFT, "outcome_kind": "政协信息"})
    assert flow.open_ids(instance) == ["approve"]
    flow.do("zhuxi", instance, "approve", {"approval": "退回修改", "approval_comment": "压缩篇幅。"})
    flow.do("office1", instance, "draft", {**DRAFT, "outcome_kind": "政协信息"})
    flow.do("zhuxi", instance, "approve", {"approval": "同意报送"})
    flow.outcome_path(instance, county=True, gov=True, county_instruction=None)
    assert flow.status(instance) == "completed" and flow.outcomes(instance)[0].kind == "政协信息"
    assert [m.kind for m in flow.meetings(instance)] == ["会议"]


def test_a_briefing_needs_the_units_that_report(flow):
    with pytest.raises(FormInvalid) as caught:
        runtime.start_instance(flow.session, flow.user("office1"), "plenary", {**SESSION, "briefing_units": []})
    flow.session.rollback()
    assert "briefing_units" in caught.value.errors
