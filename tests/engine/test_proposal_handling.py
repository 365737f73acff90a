"""The handling chain of 提案办理 as county offices run it: the unit leader's sign-off (签发), the two evaluation
questions, key proposals led and supervised by leaders (领办/督办), and the B-class 回头看 a year later — each path
through the engine API, one committed step at a time."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.board import obligations
from engine.errors import FormInvalid, NotFound
from engine.runtime import verbs as runtime
from engine.worklist import inbox

from .flow import ACCEPT, LEAD_MEETING, LEADERS, MONDAY, OVERSEE, REPLY_A, SATISFIED, SIGN, Flow


@pytest.fixture
def flow(deployed, users):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


# 单位负责人签发 ---------------------------------------------------------------------------------------------------
def test_the_unit_leader_sends_a_reply_back_and_signs_the_revised_one(flow):
    instance = flow.to_handling()
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    assert flow.open_ids(instance) == ["sign_off"] and flow.proposal(instance).status == "待单位负责人签发"
    assert flow.proposal(instance).replied_at is None  # the proposer has nothing yet
    assert inbox.tasks_for(flow.session, flow.user("czj_clerk")) == []  # a clerk does not sign
    assert inbox.tasks_for(flow.session, flow.user("fgw_leader")) == []  # nor another unit's leader
    task = flow.open(instance, "sign_off")[0]
    with pytest.raises(NotFound):
        runtime.complete_task(flow.session, flow.user("czj_clerk"), task.id, SIGN)
    flow.session.rollback()

    flow.do("czj_leader", instance, "sign_off", {"sign_decision": "退回修改", "sign_note": "请补充资金安排"})
    assert flow.open_ids(instance) == ["revise"] and flow.proposal(instance).signer is None
    assert flow.data(instance)["sign_note"] == "请补充资金安排"
    flow.do("czj_clerk", instance, "revise", {**REPLY_A, "reply_text": "已安排资金 300 万元，首批小区已开工。"})
    assert flow.open_ids(instance) == ["sign_off"]
    clock.advance(dt.timedelta(hours=2))
    flow.do("czj_leader", instance, "sign_off", SIGN)
    assert flow.open_ids(instance) == ["satisfaction"]
    record = flow.proposal(instance)
    assert record.signer.username == "czj_leader" and record.signed_at == clock.now() == record.replied_at
    assert record.reply_text == "已安排资金 300 万元，首批小区已开工。"


def test_the_rehandled_reply_is_signed_off_too(flow):
    instance = flow.to_handling()
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    first = flow.proposal(instance).replied_at
    flow.do("member1", instance, "satisfaction",
            {"satisfaction_work": "满意", "satisfaction": "不满意", "satisfaction_comment": "未见进展"})
    flow.do("czj_clerk", instance, "rehandle", {**REPLY_A, "reply_text": "已追加资金。"})
    assert flow.open_ids(instance) == ["sign_off"]
    clock.advance(dt.timedelta(days=1))
    flow.do("czj_leader", instance, "sign_off", SIGN)
    assert flow.open_ids(instance) == ["satisfaction_again"]  # the second round goes to the second evaluation
    record = flow.proposal(instance)
    assert record.replied_at == first and record.signed_at == clock.now()  # 按期答复 counts the first reply


def test_a_sign_off_left_waiting_is_urged_and_a_revision_left_waiting_too(flow):
    instance = flow.to_handling()
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    assert flow.open(instance, "sign_off")[0].due_at is not None
    assert flow.tick(days=3) == 0
    assert flow.tick(days=5) == 1  # 5 working days passed
    assert flow.open_ids(instance) == ["sign_off", "sign_urge"]
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("duban"))] == ["sign_urge"]
    flow.do("duban", instance, "sign_urge", {"urge_action": "电话催办", "urge_note": "已电话提醒"})
    flow.do("czj_leader", instance, "sign_off", {"sign_decision": "退回修改", "sign_note": "请补充"})
    assert flow.open_ids(instance) == ["revise"]
    assert flow.tick(days=8) == 1
    assert flow.open_ids(instance) == ["revise", "revise_urge"]
    flow.do("duban", instance, "revise_urge", {"urge_action": "书面催办"})
    flow.do("czj_clerk", instance, "revise", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    flow.do("member1", instance, "satisfaction", SATISFIED)
    assert flow.open_ids(instance) == ["archive"]


# 重点提案: 领办 and 督办 leaders ---------------------------------------------------------------------------------------
def _refused(flow, username, instance, bpmn_id, data) -> dict:
    task = flow.task_of(username, instance, bpmn_id)
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user(username), task.id, data)
    flow.session.rollback()
    return caught.value.errors


def test_a_key_proposal_names_a_government_leader_and_a_cppcc_chair(flow):
    instance = flow.submit()
    assert set(_refused(flow, "tiwei", instance, "review", {"decision": "立案", "is_key": True})) == {
        "lead_leader", "oversight_leader"}
    errors = _refused(flow, "tiwei", instance, "review",
                      {"decision": "立案", "is_key": True, "lead_leader": "xwlingdao", "oversight_leader": "lingdao"})
    assert "县政府领导" in errors["lead_leader"] and "政协主席" in errors["oversight_leader"]  # 县委 is not 县政府
    assert flow.open_ids(instance) == ["review"]
    flow.do("tiwei", instance, "review", {"decision": "立案", "is_key": True, **LEADERS})
    record = flow.proposal(instance)
    assert (record.lead_leader, record.oversight_leader) == ("lingdao", "zhuxi")
    plain = flow.submit("member2")
    flow.do("tiwei", plain, "review", {"decision": "立案", "lead_leader": "lingdao"})  # not key: nobody leads it
    assert flow.proposal(plain).is_key is False


def test_the_lead_leader_convenes_the_meeting_and_the_chair_reviews_the_reply(flow):
    instance = flow.to_handling(is_key=True, **LEADERS)
    assert flow.open_ids(instance) == ["handle", "lead_meeting"]
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("lingdao"))] == ["lead_meeting"]
    assert inbox.tasks_for(flow.session, flow.user("xwlingdao")) == []  # another leader does not get it
    assert set(_refused(flow, "lingdao", instance, "lead_meeting", {"lead_meeting_date": "2026-03-10"})) == {
        "lead_meeting_units", "lead_meeting_note"}
    flow.do("lingdao", instance, "lead_meeting", LEAD_MEETING)
    record = flow.proposal(instance)
    assert (record.lead_meeting_on.isoformat(), record.lead_meeting_units, record.lead_meeting_proposer) == (
        "2026-03-10", ["czj"], True)
    assert record.lead_meeting_note == "明确资金来源和改造时序。"

    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    assert flow.open_ids(instance) == ["oversight_review"] and flow.proposal(instance).replied_at is None
    assert inbox.tasks_for(flow.session, flow.user("member1")) == []  # the proposer waits for the chair
    flow.do("zhuxi", instance, "oversight_review", {"oversight_decision": "退回", "oversight_note": "答复过于笼统"})
    assert flow.open_ids(instance) == ["revise"] and flow.proposal(instance).oversight_returns == 1
    assert flow.data(instance)["oversight_note"] == "答复过于笼统"
    flow.do("czj_clerk", instance, "revise", {**REPLY_A, "reply_text": "分三批改造，资金 300 万元已落实。"})
    flow.do("czj_leader", instance, "sign_off", SIGN)  # signed again, then reviewed again
    flow.do("zhuxi", instance, "oversight_review", OVERSEE)
    assert flow.open_ids(instance) == ["satisfaction"]
    record = flow.proposal(instance)
    assert record.oversight_reviewed_at == clock.now() == record.replied_at
    assert record.reply_text == "分三批改造，资金 300 万元已落实。"

    catalogue = {o.id: o for o in obligations.load()}
    o19 = obligations.evaluate(flow.session, [catalogue["O19"]], 2026, dt.date(2026, 6, 1))[0]
    assert (o19.state, o19.figure.split("（")[0]) == ("done", "1 / 1")
    other = flow.to_handling("member2", is_key=True, **LEADERS)  # a second key proposal, not led yet
    o19 = obligations.evaluate(flow.session, [catalogue["O19"]], 2026, dt.date(2026, 6, 1))[0]
    assert (o19.state, o19.figure.split("（")[0], sorted(o19.instances)) == (
        "running", "1 / 2", sorted([instance.id, other.id]))


def test_a_lead_meeting_and_a_chairs_review_left_waiting_are_urged_by_the_office(flow):
    instance = flow.to_handling(is_key=True, **LEADERS)
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    assert flow.tick(days=8) == 1  # the chair's 5 working days
    assert flow.open_ids(instance) == ["lead_meeting", "oversight_review", "oversight_urge"]
    assert flow.tick(days=40) == 1  # the meeting's 30 working days from assignment
    assert "lead_urge" in flow.open_ids(instance)
    assert sorted(t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("office1"))
                  if t.instance_id == instance.id) == ["lead_urge", "oversight_urge"]
    flow.do("office1", instance, "lead_urge", {"urge_action": "电话催办"})
    flow.do("office1", instance, "oversight_urge", {"urge_action": "书面催办"})
    flow.do("lingdao", instance, "lead_meeting", LEAD_MEETING)
    flow.do("zhuxi", instance, "oversight_review", OVERSEE)
    assert flow.open_ids(instance) == ["satisfaction"]


def test_face_to_face_handling_records_the_meeting(flow):
    instance = flow.to_handling(face_to_face=True)
    errors = _refused(flow, "czj_clerk", instance, "handle", {**REPLY_A, "contact_method": "电话"})
    assert "面对面" in errors["contact_method"]
    assert "meeting_attendees" in _refused(flow, "czj_clerk", instance, "handle",
                                           {k: v for k, v in REPLY_A.items() if k != "meeting_attendees"})
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    record = flow.proposal(instance)
    assert (record.contact_method, record.contact_date.isoformat(), record.meeting_attendees) == (
        "面对面", "2026-03-20", REPLY_A["meeting_attendees"])


# B 类答复回头看 ---------------------------------------------------------------------------------------------------
REPLY_B = {**REPLY_A, "result_class": "B", "reply_text": "已列入明年改造计划。"}


def _archived_b(flow, username="member1", **archive):
    instance = flow.to_handling(username)
    flow.do("czj_clerk", instance, "handle", REPLY_B)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    flow.do(username, instance, "satisfaction", SATISFIED)
    flow.do("office1", instance, "archive", {"publish_proposal": True, "publish_reply": True, **archive})
    return instance


def test_a_b_reply_is_followed_up_a_year_later_by_the_tick(flow):
    from engine.procedures.proposal import register, statistics
    from engine.runtime import schedule

    instance = _archived_b(flow)
    flow.session.refresh(instance)
    record = flow.proposal(instance)
    assert instance.status == "running" and record.status == "待回头看" and flow.open(instance) == []
    assert record.closed_at == clock.now()  # archived: counted as closed while the 回头看 waits
    assert record.followup_due.astimezone(clock.TZ).date() == dt.date(2027, 3, 2)  # the same day next year
    assert instance.next_timer_at == record.followup_due  # a timer, not a forgotten case
    rows = register.page(flow.session, flow.user("office1"), register.Filters(year=2026)).rows
    assert [(r.number, r.followup) for r in rows] == [(record.number, "待回头看（2027-03-02）")]

    clock.advance(dt.timedelta(days=364))
    assert schedule.tick(flow.session)["timers"] == 0
    clock.advance(dt.timedelta(days=1, hours=1))
    assert schedule.tick(flow.session)["timers"] == 1  # `xieshang tick` a year on
    flow.session.commit()
    assert flow.open_ids(instance) == ["followup_report"] and flow.proposal(instance).status == "待报告回头看"
    flow.do("czj_clerk", instance, "followup_report", {"followup_result": "已解决", "followup_text": "12 个小区已完工。"})
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("member1"))] == ["followup_notice"]
    record = flow.proposal(instance)
    assert (record.followup_result, record.followup_text) == ("已解决", "12 个小区已完工。")
    flow.do("member1", instance, "followup_notice", {"followup_comment": "感谢"})
    flow.session.refresh(instance)
    assert instance.status == "completed" and flow.proposal(instance).status == "已办结（已回头看）"

    f = statistics.for_year(flow.session, 2026).followup
    assert (f.b_replies, f.scheduled, f.reported, f.results["已解决"], f.solved_rate) == (1, 1, 1, 1, 1.0)


def test_the_office_moves_the_follow_up_and_a_late_report_is_urged_and_unread_news_closes(flow):
    from engine.procedures.proposal import statistics

    instance = _archived_b(flow, followup_on="2026-09-01")
    assert flow.proposal(instance).followup_due.astimezone(clock.TZ).date() == dt.date(2026, 9, 1)
    other = _archived_b(flow, "member2")  # the default date: next year
    a_case = flow.to_handling("member3")  # class A: nothing to follow up
    flow.do("czj_clerk", a_case, "handle", REPLY_A)
    flow.do("czj_leader", a_case, "sign_off", SIGN)
    flow.do("member3", a_case, "satisfaction", SATISFIED)
    flow.do("office1", a_case, "archive", {"publish_proposal": True, "publish_reply": True})
    flow.session.refresh(a_case)
    assert a_case.status == "completed"

    clock.set_now(dt.datetime(2026, 9, 1, 10, 0, tzinfo=clock.TZ))
    assert flow.tick() == 1 and flow.open_ids(instance) == ["followup_report"] and flow.open(other) == []
    assert flow.tick(days=25) == 1  # 15 working days later: 督办 urges the report
    assert flow.open_ids(instance) == ["followup_report", "followup_urge"]
    flow.do("duban", instance, "followup_urge", {"urge_action": "书面催办"})
    flow.do("czj_clerk", instance, "followup_report", {"followup_result": "仍在推进", "followup_text": "已完成一半。"})
    assert flow.tick(days=40) == 1  # the proposer never opened it (15 working days, 国庆 between): counted as told
    flow.session.refresh(instance)
    assert instance.status == "completed"
    f = statistics.for_year(flow.session, 2026).followup
    assert (f.b_replies, f.scheduled, f.reported, f.results, f.solved_rate) == (
        2, 2, 1, {"已解决": 0, "仍在推进": 1, "无法解决": 0}, 0.0)
