"""The handling chain of 提案办理 as county offices run it: the unit leader's sign-off (签发), the two evaluation
questions, key proposals led and supervised by leaders (领办/督办), and the B-class 回头看 a year later — each path
through the engine API, one committed step at a time."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import NotFound
from engine.runtime import verbs as runtime
from engine.worklist import inbox

from .flow import MONDAY, REPLY_A, SATISFIED, SIGN, Flow


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
