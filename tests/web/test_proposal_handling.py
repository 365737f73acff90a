"""The pages of the proposal's handling chain: the unit leader's sign-off, the two evaluation questions, the key
proposal's leaders (领办 meeting, 督办 review) and the B-class 回头看."""
from __future__ import annotations

import re

from engine import clock

from .helpers import ACCEPT, ASSIGN, OVERSEE, REPLY_A, REVIEW, SIGN, do, open_steps, submit, task_id, text


def _replied(auth, client, db) -> int:
    """An ordinary (not key) proposal 财政局 has just replied to."""
    instance_id = submit(auth, client)
    do(auth, client, db, "tiwei", instance_id, "review", {"decision": "立案"})
    do(auth, client, db, "office1", instance_id, "assign", ASSIGN)
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


def test_a_key_proposal_names_its_leaders_who_meet_and_review_on_their_pages(client, auth, db):
    instance_id = submit(auth, client)
    review = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    page = client.get(f"/tasks/{review}").get_data(as_text=True)
    assert 'value="lingdao"' in page and "孙立（分管副县长）" in page and 'value="zhuxi"' in page
    assert 'value="xwlingdao"' not in page  # a 县委 leader is no 县政府 leader
    response = client.post(f"/tasks/{review}", data={"decision": "立案", "is_key": "true"})
    assert response.status_code in (400, 422) and "此项必填" in text(response)
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    do(auth, client, db, "office1", instance_id, "assign", ASSIGN)
    do(auth, client, db, "czj_clerk", instance_id, "accept", ACCEPT)
    assert open_steps(db, instance_id) == ["handle", "lead_meeting"]

    meeting = task_id(db, "lingdao", instance_id, "lead_meeting")
    auth.as_("lingdao")
    page = text(client.get(f"/tasks/{meeting}"))
    assert "领办（面商）会" in page and "参会单位" in page and "议定事项" in page
    do(auth, client, db, "lingdao", instance_id, "lead_meeting",
       {"lead_meeting_date": "2026-03-10", "lead_meeting_units": ["czj", "fgw"], "lead_meeting_proposer": "true",
        "lead_meeting_note": "明确资金来源。"})
    do(auth, client, db, "czj_clerk", instance_id, "handle", REPLY_A)
    do(auth, client, db, "czj_leader", instance_id, "sign_off", SIGN)
    oversight = task_id(db, "zhuxi", instance_id, "oversight_review")
    auth.as_("zhuxi")
    page = text(client.get(f"/tasks/{oversight}"))
    assert "督办领导审核答复" in page and "已列入本年度改造计划。" in page
    response = client.post(f"/tasks/{oversight}", data={"oversight_decision": "退回"})
    assert response.status_code in (400, 422) and "此项必填" in text(response)
    do(auth, client, db, "zhuxi", instance_id, "oversight_review", OVERSEE)
    assert open_steps(db, instance_id) == ["satisfaction"]

    auth.as_("office1")
    case = text(client.get(f"/instances/{instance_id}"))
    for words in ("领办领导（县政府领导） 孙立（分管副县长）", "督办领导（政协主席、副主席） 吴海（政协主席）",
                  "领办（面商）会", "议定事项 明确资金来源。", "督办领导审核答复", "面商参加人员"):
        assert words in case, words


def test_the_register_and_statistics_show_a_b_replys_follow_up(client, auth, db):
    instance_id = _replied(auth, client, db)  # REPLY_A made B below
    do(auth, client, db, "czj_leader", instance_id, "sign_off", {"sign_decision": "退回修改", "sign_note": "改为 B 类"})
    do(auth, client, db, "czj_clerk", instance_id, "revise", {**REPLY_A, "result_class": "B"})
    do(auth, client, db, "czj_leader", instance_id, "sign_off", SIGN)
    do(auth, client, db, "member1", instance_id, "satisfaction", {"satisfaction_work": "满意", "satisfaction": "满意"})
    archive = task_id(db, "office1", instance_id, "archive")
    auth.as_("office1")
    assert "回头看日期" in text(client.get(f"/tasks/{archive}"))
    do(auth, client, db, "office1", instance_id, "archive",
       {"publish_proposal": "true", "publish_reply": "true", "followup_on": "2027-01-15"})
    year = clock.now().year
    auth.as_("office1")
    assert "待回头看（2027-01-15）" in text(client.get(f"/proposals/register?year={year}"))
    page = client.get(f"/proposals/statistics?year={year}").get_data(as_text=True)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page.split('data-figures="followup"')[1].split("</tr>")[0])
    assert cells == ["1", "1", "0", "0", "0", "0", "—"]
    assert "待回头看" in text(client.get(f"/instances/{instance_id}"))
