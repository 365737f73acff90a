"""A step that revises earlier input opens with the case's values (drafts still win; a form may opt a field out)."""
from __future__ import annotations

import re

from .helpers import ACCEPT, OVERSEE, REPLY_A, SIGN, do, task_id, text, to_accept

UNSATISFIED = {"satisfaction_work": "满意", "satisfaction": "不满意", "satisfaction_comment": "没有说明资金来源。"}


def _checked(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"\s*checked', page)


def test_a_second_reply_opens_with_the_first_and_a_draft_wins_over_it(client, auth, db):
    instance = to_accept(auth, client, db)
    do(auth, client, db, "czj_clerk", instance, "accept", ACCEPT)
    do(auth, client, db, "czj_clerk", instance, "handle", REPLY_A)
    do(auth, client, db, "czj_leader", instance, "sign_off", SIGN)  # signed off by the unit's leader, and as a key
    do(auth, client, db, "zhuxi", instance, "oversight_review", OVERSEE)  # proposal let through by its 督办 leader
    do(auth, client, db, "member1", instance, "satisfaction", UNSATISFIED)

    rehandle = task_id(db, "czj_clerk", instance, "rehandle")
    auth.as_("czj_clerk")
    page = client.get(f"/tasks/{rehandle}").get_data(as_text=True)
    assert re.search(r'name="reply_text"[^>]*>已列入本年度改造计划。</textarea>', page)
    assert 'value="2026-03-20"' in page and _checked(page, "contact_method") == ["面对面"]
    assert _checked(page, "result_class") == ["A"]

    draft = {**REPLY_A, "reply_text": "补充：资金由县财政安排。", "_draft": "1"}
    assert client.post(f"/tasks/{rehandle}/draft", data=draft).status_code == 302
    page = client.get(f"/tasks/{rehandle}").get_data(as_text=True)
    assert "补充：资金由县财政安排。" in page and "已列入本年度改造计划。</textarea>" not in page

    response = client.post(f"/tasks/{rehandle}", data={**REPLY_A, "reply_text": "补充：资金由县财政安排。"})
    assert response.status_code == 302, text(response)
    do(auth, client, db, "czj_leader", instance, "sign_off", SIGN)
    do(auth, client, db, "zhuxi", instance, "oversight_review", OVERSEE)
    again = task_id(db, "member1", instance, "satisfaction_again")
    auth.as_("member1")  # the second evaluation is a new judgement: its fields say "x-prefill": false
    page = client.get(f"/tasks/{again}").get_data(as_text=True)
    assert _checked(page, "satisfaction") == [] and _checked(page, "satisfaction_work") == []
    assert re.search(r'name="satisfaction_comment"[^>]*></textarea>', page)
    assert "补充：资金由县财政安排。" in text(client.get(f"/tasks/{again}"))  # still shown read-only


def test_prefill_takes_the_case_values_of_the_forms_fields_unless_opted_out():
    from web.forms import prefill

    schema = {"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "string", "x-prefill": False}, "c": {"type": "integer"},
        "rows": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}}}}
    data = {"a": "甲", "b": "乙", "c": 0, "rows": [{"x": "1"}], "other": "丙", "d": ""}
    assert prefill(schema, data) == {"a": "甲", "c": 0, "rows": [{"x": "1"}]}
    assert prefill({**schema, "x-prefill": False}, data) == {}


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</section>", start)]


def test_the_case_page_lists_each_step_in_order_with_earlier_rounds_kept(client, auth, db):
    instance = to_accept(auth, client, db)
    do(auth, client, db, "czj_clerk", instance, "accept", ACCEPT)
    do(auth, client, db, "czj_clerk", instance, "handle", REPLY_A)
    do(auth, client, db, "czj_leader", instance, "sign_off", SIGN)  # signed off by the unit's leader, and as a key
    do(auth, client, db, "zhuxi", instance, "oversight_review", OVERSEE)  # proposal let through by its 督办 leader
    do(auth, client, db, "member1", instance, "satisfaction", UNSATISFIED)
    do(auth, client, db, "czj_clerk", instance, "rehandle", {**REPLY_A, "reply_text": "第二次答复：资金已落实。"})
    auth.as_("member1")
    page = client.get(f"/instances/{instance}").get_data(as_text=True)
    entered = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _section(page, "entered")))
    order = ["关于加快城区老旧小区改造的建议", "审查立案", "交办", "签收", "办理答复", "已列入本年度改造计划。",
             "满意度评价", "不满意", "没有说明资金来源。", "重新办理答复", "第二次答复：资金已落实。"]
    positions = [entered.index(piece) for piece in order]
    assert positions == sorted(positions), entered
    assert entered.index("标题") < entered.index("审查立案")  # the proposal itself first, not by form file name


def test_a_step_one_person_did_twice_is_numbered_and_side_by_side_steps_are_not(app):
    from types import SimpleNamespace as Event

    from web.instances.casedata import round_labels

    events = [Event(kind="start", bpmn_id="start", task_name=None, actor_id=1),
              Event(kind="complete", bpmn_id="cosign", task_name="联名确认", actor_id=2),
              Event(kind="complete", bpmn_id="cosign", task_name="联名确认", actor_id=3),
              Event(kind="complete", bpmn_id="review", task_name="审核", actor_id=4),
              Event(kind="claim", bpmn_id="revise", task_name="修改", actor_id=1),
              Event(kind="complete", bpmn_id="revise", task_name="修改", actor_id=1),
              Event(kind="complete", bpmn_id="review", task_name="审核", actor_id=4)]
    with app.test_request_context():
        assert round_labels(events) == ["发起", "联名确认", "联名确认", "审核（第 1 次）", "修改", "审核（第 2 次）"]
