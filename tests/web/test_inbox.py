"""我的待办 and the task form: rendering, validation, completion, refusals."""
from __future__ import annotations

import re

import logging

import pytest
from sqlalchemy import func, select

from engine.models import Event, OpenTask

from .helpers import ACCEPT, REVIEW, do, open_steps, scalar, submit, task_id, text, to_accept


def test_inbox_lists_open_tasks_with_their_columns(client, auth, db):
    instance_id = submit(auth, client)
    auth.as_("tiwei")
    response = client.get("/inbox")
    assert response.status_code == 200
    page = text(response)
    for expected in ("我的待办", "关于加快城区老旧小区改造的建议", "2026-", "审查立案", "提案办理", "办理期限"):
        assert expected in page
    assert f"/tasks/{task_id(db, 'tiwei', instance_id, 'review')}" in response.get_data(as_text=True)


def test_empty_inbox(client, auth):
    auth.as_("member3")
    assert "暂无待办事项" in text(client.get("/inbox"))


def test_inbox_never_loads_a_workflow(client, auth, monkeypatch):
    submit(auth, client)
    auth.as_("tiwei")

    def refuse(*_args, **_kwargs):
        raise AssertionError("the inbox deserialized a workflow")

    monkeypatch.setattr("engine.runtime.state.load", refuse)
    assert client.get("/inbox").status_code == 200


def test_task_page_shows_earlier_data_instructions_and_form(client, auth, db):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    response = client.get(f"/tasks/{tid}")
    assert response.status_code == 200
    page = text(response)
    assert "前序步骤填写的内容" in page
    assert "提案标题 关于加快城区老旧小区改造的建议" in page and "提案人 张明（委员）" in page and "类别 社会" in page
    assert "办理说明" in page and "立案标准" in page
    assert "审查结论" in page and 'name="decision" value="立案"' in response.get_data(as_text=True)
    assert "（视情况必填）" in page  # reason: required for 不立案 / 并案


def test_invalid_task_post_rerenders_with_errors_and_input(client, auth, db):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    response = client.post(f"/tasks/{tid}", data={"decision": "不立案", "reason": "", "merge_into": "2026-009"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="err-reason" role="alert">此项必填<' in html
    assert 'name="decision" value="不立案" checked' in html and 'value="2026-009"' in html
    assert open_steps(db, instance_id) == ["review"]
    assert scalar(db, select(func.count()).select_from(Event).where(Event.kind == "complete")) == 0


def test_valid_task_post_completes_and_flashes(client, auth, db):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    response = client.post(f"/tasks/{tid}", data=REVIEW)
    assert response.status_code == 302 and response.location == "/inbox"
    assert "已提交" in text(client.get("/inbox"))
    assert open_steps(db, instance_id) == ["assign"]
    auth.as_("office1")
    assert "交办" in text(client.get("/inbox"))


def test_completing_twice_is_a_conflict(client, auth, db, caplog):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    assert client.post(f"/tasks/{tid}", data=REVIEW).status_code == 302
    with caplog.at_level(logging.WARNING, logger="xieshang.web"):
        response = client.post(f"/tasks/{tid}", data=REVIEW)
    assert response.status_code == 409
    assert "操作未能完成" in text(response) and "该任务已由李建国（提案委员会）于" in text(response)
    assert open_steps(db, instance_id) == ["assign"]
    assert client.get(f"/tasks/{tid}").status_code == 409  # a stale link from the inbox
    assert any("409" in r.getMessage() and "tiwei" in r.getMessage() and tid in r.getMessage()
               for r in caplog.records)


def test_clerk_of_another_unit_cannot_see_or_do_a_units_task(client, auth, db):
    instance_id = to_accept(auth, client, db)
    tid = task_id(db, "czj_clerk", instance_id, "accept")
    auth.as_("fgw_clerk")
    assert tid not in client.get("/inbox").get_data(as_text=True)
    assert client.get(f"/tasks/{tid}").status_code == 404
    response = client.post(f"/tasks/{tid}", data=ACCEPT)
    assert response.status_code == 404 and "页面不存在" in text(response)
    assert open_steps(db, instance_id) == ["accept"]
    do(auth, client, db, "czj_clerk", instance_id, "accept", ACCEPT)
    assert open_steps(db, instance_id) == ["handle", "lead_meeting"]  # a key proposal: its 领办 leader meets meanwhile


@pytest.mark.parametrize("username", ["member1", "office1", "czj_clerk"])
def test_users_without_the_lane_role_get_404(client, auth, db, username):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_(username)
    assert client.get(f"/tasks/{tid}").status_code == 404
    assert client.post(f"/tasks/{tid}", data=REVIEW).status_code == 404
    assert open_steps(db, instance_id) == ["review"]


def test_unknown_task_is_404_in_chinese_and_json(client, auth):
    auth.as_("tiwei")
    response = client.get("/tasks/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and "页面不存在" in text(response)
    response = client.post("/tasks/nope", data=REVIEW, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404 and "找不到" in response.get_json()["error"]


def test_invalid_post_as_json_client(client, auth, db):
    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")
    response = client.post(f"/tasks/{tid}", data={"decision": "不可能"})
    assert response.status_code == 422 and "请选择列出的选项" in text(response)
    assert scalar(db, select(func.count()).select_from(OpenTask).where(OpenTask.id == tid)) == 1


def test_lost_race_at_commit_is_a_conflict(client, auth, db, monkeypatch):
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    instance_id = submit(auth, client)
    tid = task_id(db, "tiwei", instance_id, "review")
    auth.as_("tiwei")

    def lose(*_args):
        raise StaleDataError("instances row changed meanwhile")

    monkeypatch.setattr(Session, "commit", lose)  # the request's one commit, after the view
    response = client.post(f"/tasks/{tid}", data=REVIEW)
    assert response.status_code == 409 and "该任务已被他人办理或已关闭" in text(response)
    monkeypatch.undo()
    assert open_steps(db, instance_id) == ["review"]
    assert "已提交" not in text(client.get("/inbox"))  # the view's flash did not come true


def test_unit_picker_refuses_codes_it_did_not_offer(client, auth, db):
    instance_id = submit(auth, client)
    do(auth, client, db, "tiwei", instance_id, "review", REVIEW)
    tid = task_id(db, "office1", instance_id, "assign")
    auth.as_("office1")
    response = client.post(f"/tasks/{tid}", data={"lead_unit": "no_such_unit", "co_units": ["fgw"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="err-lead_unit" role="alert">请选择列出的选项<' in html
    assert re.search(r'<option value="fgw" data-pinyin="[^"]*" selected>', html)
    assert open_steps(db, instance_id) == ["assign"]
