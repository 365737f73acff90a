"""The pages of the proposal's handling chain: the unit leader's sign-off, the two evaluation questions, the key
proposal's leaders (领办 meeting, 督办 review) and the B-class 回头看."""
from __future__ import annotations

from .helpers import ACCEPT, REPLY_A, SIGN, do, open_steps, task_id, text, to_accept


def _replied(auth, client, db) -> int:
    instance_id = to_accept(auth, client, db)
    do(auth, client, db, "czj_clerk", instance_id, "accept", ACCEPT)
    do(auth, client, db, "czj_clerk", instance_id, "handle", REPLY_A)
    return instance_id


def test_the_sign_off_page_shows_the_reply_and_wants_a_reason_to_send_it_back(client, auth, db):
    instance_id = _replied(auth, client, db)
    tid = task_id(db, "czj_leader", instance_id, "sign_off")
    auth.as_("czj_leader")
    page = text(client.get(f"/tasks/{tid}"))
    assert "单位负责人签发" in page and "已列入本年度改造计划。" in page and "退回修改" in page
    response = client.post(f"/tasks/{tid}", data={"sign_decision": "退回修改"})
    assert response.status_code in (400, 422) and "此项必填" in text(response)
    assert open_steps(db, instance_id) == ["sign_off"]
    auth.as_("czj_clerk")
    assert client.get(f"/tasks/{tid}").status_code == 404  # the clerk may not sign
    do(auth, client, db, "czj_leader", instance_id, "sign_off", {"sign_decision": "退回修改", "sign_note": "请补充资金安排"})
    assert open_steps(db, instance_id) == ["revise"]
    revise = task_id(db, "czj_clerk", instance_id, "revise")
    auth.as_("czj_clerk")
    assert "请补充资金安排" in text(client.get(f"/tasks/{revise}"))  # the clerk reads why


def test_the_evaluation_page_asks_both_questions(client, auth, db):
    instance_id = _replied(auth, client, db)
    do(auth, client, db, "czj_leader", instance_id, "sign_off", SIGN)
    tid = task_id(db, "member1", instance_id, "satisfaction")
    auth.as_("member1")
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "对办理工作的评价（联系沟通、办理态度）" in page and "对办理结果的评价" in page
    response = client.post(f"/tasks/{tid}", data={"satisfaction_work": "不满意", "satisfaction": "满意"})
    assert response.status_code in (400, 422) and "此项必填" in text(response)
    assert open_steps(db, instance_id) == ["satisfaction"]
    do(auth, client, db, "member1", instance_id, "satisfaction",
       {"satisfaction_work": "不满意", "satisfaction": "满意", "satisfaction_comment": "没有联系过我"})
    assert open_steps(db, instance_id) == ["rehandle"]
