"""CSRF on every POST; engine refusals as Chinese pages or JSON; one session per request."""
from __future__ import annotations

import logging
import re

import pytest

from engine.errors import Conflict

from .helpers import SUBMIT, instance_count, open_steps, submit, task_id, text


@pytest.fixture
def app_config():
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True}


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_login_without_csrf_token_is_400(client):
    response = client.post("/login", data={"username": "member1", "password": "xieshang"})
    assert response.status_code == 400
    assert "页面已过期或来源不明" in text(response)
    assert client.get("/inbox").status_code == 302  # not logged in


def test_forms_carry_a_token_that_works(client, db):
    response = client.post("/login", data={"username": "member1", "password": "xieshang",
                                           "csrf_token": token(client, "/login")})
    assert response.status_code == 302
    assert client.post("/proposals/new", data=SUBMIT).status_code == 400
    assert instance_count(db) == 0
    response = client.post("/proposals/new", data={**SUBMIT, "csrf_token": token(client, "/proposals/new")})
    assert response.status_code == 302 and instance_count(db) == 1


def test_task_post_and_logout_need_the_token(client, db):
    client.post("/login", data={"username": "member1", "password": "xieshang", "csrf_token": token(client, "/login")})
    client.post("/proposals/new", data={**SUBMIT, "csrf_token": token(client, "/proposals/new")})
    assert client.post("/logout").status_code == 400
    assert client.get("/inbox").status_code == 200  # still logged in
    client.post("/logout", data={"csrf_token": token(client, "/inbox")})
    assert client.get("/inbox").status_code == 302  # logged out
    client.post("/login", data={"username": "tiwei", "password": "xieshang", "csrf_token": token(client, "/login")})
    tid = task_id(db, "tiwei", 1, "review")
    assert client.post(f"/tasks/{tid}", data={"decision": "立案"}).status_code == 400
    assert open_steps(db, 1) == ["review"]  # refused: nothing done
    response = client.post(f"/tasks/{tid}", data={"decision": "立案", "csrf_token": token(client, "/inbox")})
    assert response.status_code == 302
    assert open_steps(db, 1) == ["assign"]  # done with the token


def test_refusals_are_logged_with_user_path_and_message(client, auth, caplog):
    client.application.config["WTF_CSRF_ENABLED"] = False
    auth.login("office1")
    with caplog.at_level(logging.WARNING, logger="xieshang.web"):
        client.get("/proposals/new")
    record = next(r for r in caplog.records if r.name == "xieshang.web")
    assert "403" in record.getMessage() and "office1" in record.getMessage() and "/proposals/new" in record.getMessage()


def test_engine_error_as_json(client, auth):
    client.application.config["WTF_CSRF_ENABLED"] = False
    auth.login("office1")
    response = client.get("/proposals/new", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json() == {"status": 403, "error": "只有政协委员可以提交提案。"}


def test_unknown_page_is_chinese_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "页面不存在" in text(response)


def test_failed_post_rolls_back_everything(client, auth, db, monkeypatch):
    """An engine refusal after writes were flushed leaves no trace: the request's session is rolled back."""
    client.application.config["WTF_CSRF_ENABLED"] = False
    from engine.runtime import verbs as runtime

    real = runtime.start_instance

    def start_then_fail(session, *args, **kwargs):
        real(session, *args, **kwargs)
        session.flush()
        raise Conflict("模拟冲突")

    monkeypatch.setattr(runtime, "start_instance", start_then_fail)
    auth.login("member1")
    response = client.post("/proposals/new", data=SUBMIT)
    assert response.status_code == 409 and "模拟冲突" in text(response)
    assert instance_count(db) == 0
    monkeypatch.setattr(runtime, "start_instance", real)
    submit(auth, client)
    assert instance_count(db) == 1


def test_unexpected_error_is_a_chinese_500_and_rolls_back(demo_db_template, tmp_path, monkeypatch):
    import shutil

    from web import create_app
    from web.db import dispose

    shutil.copy(demo_db_template, tmp_path / "x.db")
    app = create_app({"SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    client = app.test_client()
    client.post("/login", data={"username": "member1", "password": "xieshang"})

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("engine.runtime.verbs.start_instance", broken)
    response = client.post("/proposals/new", data=SUBMIT)
    assert response.status_code == 500 and "系统出错" in text(response)
    dispose(app)


def test_csrf_is_on_by_default(demo_db_template, tmp_path):
    """The factory with no test settings at all refuses a POST without its token (nothing sets the flag)."""
    import shutil

    from web import create_app
    from web.db import dispose

    shutil.copy(demo_db_template, tmp_path / "plain.db")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'plain.db'}", "SECRET_KEY": "plain"})
    assert "WTF_CSRF_ENABLED" not in app.config or app.config["WTF_CSRF_ENABLED"]
    response = app.test_client().post("/login", data={"username": "member1", "password": "xieshang"})
    assert response.status_code == 400 and "/login" not in (response.location or "")
    dispose(app)
