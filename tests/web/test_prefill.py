"""A step that revises earlier input opens with the case's values (drafts still win; a form may opt a field out)."""
from __future__ import annotations

import re

from .helpers import ACCEPT, REPLY_A, do, task_id, text, to_accept

UNSATISFIED = {"satisfaction": "不满意", "satisfaction_comment": "没有说明资金来源。"}


def _checked(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"\s*checked', page)


def test_a_second_reply_opens_with_the_first_and_a_draft_wins_over_it(client, auth, db):
    instance = to_accept(auth, client, db)
    do(auth, client, db, "czj_clerk", instance, "accept", ACCEPT)
    do(auth, client, db, "czj_clerk", instance, "handle", REPLY_A)
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
    again = task_id(db, "member1", instance, "satisfaction_again")
    auth.as_("member1")  # the second evaluation is a new judgement: its fields say "x-prefill": false
    page = client.get(f"/tasks/{again}").get_data(as_text=True)
    assert _checked(page, "satisfaction") == []
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
