"""Every path of 提案办理 through the engine API, each step committed and reloaded as a request would."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.runtime import audit, verbs as runtime
from engine import clock
from engine.worklist import inbox
from engine.errors import Conflict, FormInvalid, NotFound
from engine.models import Event, Instance, OpenTask

from .flow import ACCEPT, ARCHIVE, LEAD_MEETING, LEADERS, MONDAY, OVERSEE, REPLY_A, SATISFIED, SIGN, Flow


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


def test_single_member_proposal_from_submission_to_archive(flow):
    instance = flow.submit()
    assert flow.open_ids(instance) == ["review"]
    record = flow.proposal(instance)
    assert (record.number, record.status, record.proposer.username) == ("2026-001", "待审查", "member1")

    flow.do("tiwei", instance, "review", {"decision": "立案", "is_key": True, "face_to_face": True, **LEADERS})
    assert flow.proposal(instance).status == "待交办" and flow.proposal(instance).is_key
    assert flow.session.get(Instance, instance.id).is_key  # the worklist's 重点 reads the instance
    flow.do("office1", instance, "assign", {"lead_unit": "czj", "assign_note": "请财政局主办"})
    accept = flow.open(instance, "accept")[0]
    assert accept.candidate_unit == "czj" and accept.due_at is not None
    flow.do("czj_clerk", instance, "accept", ACCEPT)
    assert flow.open_ids(instance) == ["handle", "lead_meeting"]  # the 领办 leader convenes the meeting meanwhile
    flow.do("lingdao", instance, "lead_meeting", LEAD_MEETING)
    handle = flow.open(instance, "handle")[0]
    assert handle.due_at.astimezone(clock.TZ).date().isoformat() == "2026-06-02"  # 3 months after assignment
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    assert flow.proposal(instance).status == "待督办领导审核"
    flow.do("zhuxi", instance, "oversight_review", OVERSEE)
    assert flow.proposal(instance).status == "待评价"
    flow.do("member1", instance, "satisfaction", SATISFIED)
    flow.do("office1", instance, "archive", ARCHIVE)

    flow.session.refresh(instance)
    assert instance.status == "completed" and flow.open(instance) == []
    record = flow.proposal(instance)
    assert (record.status, record.result_class, record.satisfaction) == ("已办结", "A", "满意")
    assert record.publish_proposal and record.publish_reply and record.lead_unit_code == "czj"
    assert record.replied_at is not None and record.closed_at is not None
    assert record.signer.username == "czj_leader" and record.signed_at == record.replied_at
    kinds = flow.session.scalars(select(Event.kind).where(Event.instance_id == instance.id).order_by(Event.id))
    assert list(kinds) == ["start"] + ["complete"] * 9
    assert audit.verify(flow.session, instance.id)


def test_joint_proposal_waits_for_each_cosigner(flow):
    instance = flow.submit(cosigners=["member2", "member3"])
    cosign = flow.open(instance, "cosign")
    assert sorted(t.candidate_user for t in cosign) == ["member2", "member3"]
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("member4"))] == []
    member3_task = next(t for t in cosign if t.candidate_user == "member3")
    with pytest.raises(NotFound):
        runtime.complete_task(flow.session, flow.user("member2"), member3_task.id, {"cosign_agree": True})
    flow.session.rollback()
    flow.do("member2", instance, "cosign", {"cosign_agree": True})
    assert flow.open_ids(instance) == ["cosign"]
    flow.do("member3", instance, "cosign", {"cosign_agree": False, "cosign_comment": "不够了解"})
    assert flow.open_ids(instance) == ["review"]
    data = runtime.instance_data(flow.session, instance)
    assert sorted((r["user"], r["agree"]) for r in data["cosign_results"]) == [("member2", True), ("member3", False)]


def test_not_filed_ends_with_the_reason(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "不立案", "reason": "属于个人诉求，不符合立案标准", "to_sheqing": True})
    flow.session.refresh(instance)
    record = flow.proposal(instance)
    assert instance.status == "completed"
    assert (record.status, record.reason) == ("不予立案", "属于个人诉求，不符合立案标准")


def test_merged_proposal_gets_the_main_reply_and_its_own_evaluation(flow):
    main = flow.to_handling("member1")
    merged = flow.submit("member2")
    other_main = flow.submit("member4")
    unrelated = flow.submit("member3")
    flow.do("tiwei", merged, "review", {"decision": "并案", "reason": "与 2026-001 内容相同", "merge_into": "2026-001"})
    flow.do("tiwei", unrelated, "review", {"decision": "并案", "reason": "另案",
                                           "merge_into": flow.proposal(other_main).number})
    assert flow.proposal(merged).status == "已并案" and flow.open(merged) == []

    flow.do("czj_clerk", main, "handle", REPLY_A)
    flow.do("czj_leader", main, "sign_off", SIGN)
    assert flow.open_ids(merged) == ["satisfaction_merged"] and flow.open(unrelated) == []
    data = runtime.instance_data(flow.session, merged)
    assert data["main_reply"]["reply_text"] == REPLY_A["reply_text"]
    flow.do("member2", merged, "satisfaction_merged", {"satisfaction_work": "满意", "satisfaction": "基本满意"})
    flow.session.refresh(merged)
    assert merged.status == "completed" and flow.proposal(merged).status == "已办结（并案）"
    assert flow.open_ids(main) == ["satisfaction"]


def test_a_merged_proposal_whose_main_proposal_never_replies_is_not_left_waiting(flow):
    """120 days without the main reply: the office checks, may wait again (the timer starts over) or close the merged
    proposal with its reason; a main reply arriving while it still waits goes through as before."""
    main = flow.to_handling("member1")
    merged = flow.submit("member2")
    flow.do("tiwei", merged, "review", {"decision": "并案", "reason": "同题", "merge_into": flow.proposal(main).number})
    assert flow.open(merged) == [] and flow.session.get(Instance, merged.id).next_timer_at is not None
    flow.tick(days=119)  # the main proposal's own timers may fire meanwhile
    assert flow.open(merged) == []
    flow.tick(days=2)
    assert flow.open_ids(merged) == ["merged_check"]
    with pytest.raises(FormInvalid):  # closing needs the reason the proposer is told
        flow.do("office1", merged, "merged_check", {"merged_decision": "不再等待"})
    flow.do("office1", merged, "merged_check", {"merged_decision": "继续等待"})
    assert flow.open(merged) == []  # waiting again, for the reply or another 120 days
    flow.do("czj_clerk", main, "handle", REPLY_A)
    flow.do("czj_leader", main, "sign_off", SIGN)
    assert flow.open_ids(merged) == ["satisfaction_merged"]  # the reply still reaches it

    other_main = flow.submit("member3")
    orphan = flow.submit("member4")
    flow.do("tiwei", orphan, "review", {"decision": "并案", "reason": "同题",
                                         "merge_into": flow.proposal(other_main).number})
    flow.tick(days=121)
    flow.do("office1", orphan, "merged_check", {"merged_decision": "不再等待", "merged_note": "主提案已撤回。"})
    flow.session.refresh(orphan)
    assert orphan.status == "completed" and flow.open(orphan) == []
    assert orphan.status_label == "已办结（并案，主提案未答复）"


def test_a_unit_returns_a_proposal_for_reassignment(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.do("office1", instance, "assign", {"lead_unit": "czj"})
    flow.do("czj_clerk", instance, "accept", {"accept_decision": "退回", "return_reason": "属发改委职责"})
    assert flow.open_ids(instance) == ["assign"]
    assert runtime.instance_data(flow.session, instance)["return_reason"] == "属发改委职责"
    flow.do("office1", instance, "assign", {"lead_unit": "fgw"})
    assert inbox.tasks_for(flow.session, flow.user("czj_clerk")) == []
    flow.do("fgw_clerk", instance, "accept", ACCEPT)
    assert flow.open_ids(instance) == ["handle"] and flow.open(instance)[0].candidate_unit == "fgw"


def test_silence_past_seven_working_days_counts_as_accepted(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.do("office1", instance, "assign", {"lead_unit": "czj"})
    assert flow.tick(days=6) == 0 and flow.open_ids(instance) == ["accept"]  # 4 working days later
    assert flow.tick(days=4) == 1  # 10 calendar days: the 7th working day has passed
    assert flow.open_ids(instance) == ["handle"]
    kinds = list(flow.session.scalars(select(Event.kind).where(Event.instance_id == instance.id)))
    assert kinds[-1] == "timer"


def test_co_units_give_opinions_before_the_lead_replies(flow):
    instance = flow.to_handling(co_units=["fgw", "jyj"])
    assert flow.open_ids(instance) == ["co_opinion", "co_opinion"]
    assert inbox.tasks_for(flow.session, flow.user("czj_clerk")) == []
    flow.do("fgw_clerk", instance, "co_opinion", {"co_opinion": "发改委可安排专项资金。"})
    flow.do("jyj_clerk", instance, "co_opinion", {"co_opinion": "涉及学校周边小区，同意配合。"})
    assert flow.open_ids(instance) == ["handle"]
    opinions = runtime.instance_data(flow.session, instance)["co_opinions"]
    assert sorted(o["unit"] for o in opinions) == ["fgw", "jyj"]


def test_overdue_reply_raises_a_reminder_while_handling_goes_on(flow):
    instance = flow.to_handling()
    assert flow.tick(days=60) == 0
    assert flow.tick(days=35) == 1
    assert flow.open_ids(instance) == ["handle", "remind"]
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("duban"))] == ["remind"]
    flow.do("duban", instance, "remind", {"remind_action": "催办", "remind_note": "请本周内答复"})
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    assert flow.open_ids(instance) == ["satisfaction"]


def test_dissatisfaction_leads_to_rehandling_and_a_second_evaluation(flow):
    instance = flow.to_handling()
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    flow.do("member1", instance, "satisfaction", {"satisfaction_work": "满意", "satisfaction": "不满意", "satisfaction_comment": "未见实际进展"})
    assert flow.open_ids(instance) == ["rehandle"] and flow.proposal(instance).status == "重新办理中"
    flow.do("czj_clerk", instance, "rehandle", {**REPLY_A, "reply_text": "已追加资金，6 月底完工。"})
    flow.do("czj_leader", instance, "sign_off", SIGN)
    flow.do("member1", instance, "satisfaction_again", {"satisfaction_work": "满意", "satisfaction": "基本满意"})
    flow.do("office1", instance, "archive", {"publish_proposal": True, "publish_reply": False})
    flow.session.refresh(instance)
    record = flow.proposal(instance)
    assert instance.status == "completed"
    assert (record.satisfaction, record.reply_text) == ("基本满意", "已追加资金，6 月底完工。")


def test_invalid_form_data_changes_nothing(flow):
    instance = flow.submit()
    task = flow.open(instance, "review")[0]
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("tiwei"), task.id, {"decision": "不立案"})
    flow.session.rollback()
    assert caught.value.errors == {"reason": "此项必填"}
    with pytest.raises(FormInvalid):
        runtime.complete_task(flow.session, flow.user("tiwei"), task.id, {"decision": "随便"})
    flow.session.rollback()
    assert flow.open_ids(instance) == ["review"]
    assert flow.session.scalar(select(func.count()).select_from(Event).where(Event.instance_id == instance.id)) == 1


def test_submission_form_is_validated_and_unknown_keys_dropped(flow):
    with pytest.raises(FormInvalid) as caught:
        runtime.start_instance(flow.session, flow.user("member1"), "proposal", {"title": "", "category": "经济"})
    flow.session.rollback()
    assert {"title", "content", "suggestion"} <= set(caught.value.errors)
    assert flow.session.scalar(select(func.count()).select_from(Instance)) == 0
    instance = flow.submit(typename="x", evil="y")
    data = runtime.instance_data(flow.session, instance)
    assert "typename" not in data and "evil" not in data


def test_another_units_clerk_can_neither_see_nor_complete(flow):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.do("office1", instance, "assign", {"lead_unit": "czj"})
    task = flow.open(instance, "accept")[0]
    assert inbox.tasks_for(flow.session, flow.user("fgw_clerk")) == []
    with pytest.raises(NotFound):
        runtime.complete_task(flow.session, flow.user("fgw_clerk"), task.id, ACCEPT)
    flow.session.rollback()
    with pytest.raises(NotFound):
        runtime.complete_task(flow.session, flow.user("member1"), task.id, ACCEPT)
    flow.session.rollback()
    assert flow.open_ids(instance) == ["accept"]


def test_completing_a_closed_task_is_a_conflict(flow):
    instance = flow.submit()
    task = flow.open(instance, "review")[0]
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    with pytest.raises(Conflict) as caught:
        runtime.complete_task(flow.session, flow.user("tiwei"), task.id, {"decision": "立案"})
    assert "已由" in caught.value.message


def test_only_members_may_submit(flow):
    from engine.errors import Forbidden

    with pytest.raises(Forbidden):
        runtime.start_instance(flow.session, flow.user("czj_clerk"), "proposal", {})


def test_inbox_lists_without_loading_any_workflow(flow, monkeypatch):
    flow.submit()
    from engine.runtime import state

    def boom(_):
        raise AssertionError("the inbox loaded a workflow")

    monkeypatch.setattr(state, "load", boom)
    assert [t.bpmn_id for t in inbox.tasks_for(flow.session, flow.user("tiwei"))] == ["review"]
    assert flow.session.scalar(select(func.count()).select_from(OpenTask)) == 1


@pytest.mark.parametrize("step, data, field", [
    ("assign", {"lead_unit": "nosuch"}, "lead_unit"),
    ("assign", {"lead_unit": "czj", "co_units": ["fgw", "nowhere"]}, "co_units"),
])
def test_assignment_to_units_that_do_not_exist_is_refused(flow, step, data, field):
    instance = flow.submit()
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    task = flow.open(instance, step)[0]
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("office1"), task.id, data)
    flow.session.rollback()
    assert list(caught.value.errors) == [field] and flow.open_ids(instance) == [step]


@pytest.mark.parametrize("cosigners, message", [(["member1"], "自己"), (["czj_clerk"], "找不到委员")])
def test_cosigners_must_be_other_members(flow, cosigners, message):
    with pytest.raises(FormInvalid) as caught:
        flow.submit(cosigners=cosigners)
    flow.session.rollback()
    assert message in caught.value.errors["cosigners"]


@pytest.mark.parametrize("target", ["2026-999", "2026-002", "self"])
def test_merging_needs_a_live_main_proposal(flow, target):
    first = flow.submit("member1")
    flow.do("tiwei", first, "review", {"decision": "不立案", "reason": "不符合"})
    second = flow.submit("member2")
    number = flow.proposal(second).number if target == "self" else target
    target = "2026-001" if target == "2026-002" else number  # 2026-001 was not filed
    task = flow.open(second, "review")[0]
    with pytest.raises(FormInvalid) as caught:
        runtime.complete_task(flow.session, flow.user("tiwei"), task.id,
                              {"decision": "并案", "reason": "同题", "merge_into": target})
    flow.session.rollback()
    assert "merge_into" in caught.value.errors


def test_archiving_closes_an_outstanding_reminder(flow):
    instance = flow.to_handling()
    flow.tick(days=95)
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)
    flow.do("member1", instance, "satisfaction", SATISFIED)
    assert flow.open_ids(instance) == ["archive", "remind"]
    flow.do("office1", instance, "archive", ARCHIVE)
    flow.session.refresh(instance)
    assert instance.status == "completed" and flow.open(instance) == []


def test_a_proposal_merged_after_the_main_reply_still_gets_it(flow):
    main = flow.to_handling("member1")
    flow.do("czj_clerk", main, "handle", REPLY_A)
    flow.do("czj_leader", main, "sign_off", SIGN)
    late = flow.submit("member2")
    flow.do("tiwei", late, "review", {"decision": "并案", "reason": "同题", "merge_into": "2026-001"})
    assert flow.open_ids(late) == ["satisfaction_merged"]
    assert runtime.instance_data(flow.session, late)["main_reply"]["result_class"] == "A"


def test_cosigner_answers_are_recorded_for_duty_records(flow):
    from engine.procedures.proposal.records import ProposalCosigner

    instance = flow.submit(cosigners=["member2", "member3"])
    flow.do("member2", instance, "cosign", {"cosign_agree": True})
    flow.do("member3", instance, "cosign", {"cosign_agree": False})
    flow.session.expire_all()
    answers = dict(flow.session.execute(select(ProposalCosigner.username, ProposalCosigner.status)).all())
    assert answers == {"member2": "agreed", "member3": "declined"}
