"""Hardening, each class of attack tested on SQLite and on PostgreSQL (the `site` fixture builds one demo site per
backend for this module; tests keep apart by the people and client addresses they use)."""
from __future__ import annotations

import pytest
from flask import request

from web.db import dispose

from .both_backends import make_site, site, site_db, site_url  # noqa: F401 - fixtures
from .conftest import PASSWORD


def login(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


# ---------------------------------------------------------------- 14. cookies and proxies

def _seen() -> str:
    return f"{request.remote_addr} {request.scheme} {request.host}"


@pytest.fixture(scope="module")
def direct(site_url):
    """The same database served as it is by default, with a page that shows who the app thinks is asking."""
    app = make_site(site_url)
    app.add_url_rule("/_seen", "seen", _seen)
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def behind_proxy(site_url):
    """The same database served as behind one TLS-terminating reverse proxy."""
    app = make_site(site_url, XIESHANG_SECURE_COOKIES="1", XIESHANG_TRUSTED_PROXIES="1")
    app.add_url_rule("/_seen", "seen", _seen)
    yield app
    dispose(app)


def test_session_cookie_is_secure_only_when_configured(site, behind_proxy):
    plain = login(site.test_client(), "member4")
    assert plain.status_code == 302
    assert "Secure" not in plain.headers["Set-Cookie"] and "Strict-Transport-Security" not in plain.headers
    secure = login(behind_proxy.test_client(), "member4")
    assert secure.status_code == 302
    cookie = secure.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_proxy_headers_are_trusted_only_when_configured(direct, behind_proxy):
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "zx.example.cn"}
    direct = direct.test_client().get("/_seen", headers=forwarded, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert direct.get_data(as_text=True) == "198.51.100.7 http localhost"
    proxied = behind_proxy.test_client().get("/_seen", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert proxied.get_data(as_text=True) == "203.0.113.9 https zx.example.cn"


# ---------------------------------------------------------------- 13. security headers

def test_html_pages_carry_the_security_headers_and_no_inline_script(site):
    client = site.test_client()
    for path in ("/login", "/public"):
        page = client.get(path)
        assert page.status_code == 200, path
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
        assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "same-origin"
        assert "no-store" not in page.headers.get("Cache-Control", ""), "public pages may be cached"
    assert login(client, "member5").status_code == 302
    for path in ("/inbox", "/proposals", "/password"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["Cache-Control"] == "no-store" and "Content-Security-Policy" in page.headers, path
    style = client.get("/static/app.css")
    assert style.headers["X-Content-Type-Options"] == "nosniff" and "no-store" not in style.headers.get("Cache-Control", "")
    style.close()


def test_templates_have_no_inline_script_or_event_handler():
    """The CSP refuses them: a template that adds one breaks in the browser, so it fails here first."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "web" / "templates"
    for path in templates.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), f"inline <script> in {path}"
        assert not re.search(r"\son[a-z]+\s*=", source), f"inline event handler in {path}"
        assert "javascript:" not in source, path


def test_csp_violations_are_reported_and_logged(site, caplog):
    client = site.test_client()
    report = b'{"csp-report": {"blocked-uri": "inline", "violated-directive": "script-src"}}'
    response = client.post("/csp-report", data=report, content_type="application/csp-report")
    assert response.status_code == 204
    assert "script-src" in caplog.text


# ---------------------------------------------------------------- 5. control characters

def test_control_characters_at_login_are_a_401_with_a_message(site):
    client = site.test_client()
    for username, password in (("member1\x00", PASSWORD), ("member1", PASSWORD + "\x00"), ("member1\x1b", "x")):
        response = login(client, username, password)
        assert response.status_code == 401 and "控制字符" in response.get_data(as_text=True)
        assert "\x00" not in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302, "not logged in"


@pytest.mark.parametrize("path", ["/inbox?q=%00", "/accounts?q=a%00b", "/proposals/register?q=%01", "/inbox?%00=1",
                                  "/modeler/abc%00", "/public?q=%7f"])
def test_control_characters_in_a_query_or_path_are_a_422(site, path):
    client = site.test_client()
    assert login(client, "admin").status_code == 302
    response = client.get(path)
    assert response.status_code == 422 and "控制字符" in response.get_data(as_text=True), path
    json = client.get(path, headers={"Accept": "application/json"})
    assert json.status_code == 422 and "控制字符" in json.get_json()["error"]


def test_control_characters_in_a_form_json_body_or_file_name_change_nothing(site, site_db):
    import io

    from sqlalchemy import func, select

    from engine.models import Event, Instance

    def counts():
        value = (site_db.scalar(select(func.count()).select_from(Instance)),
                 site_db.scalar(select(func.count()).select_from(Event)))
        site_db.rollback()
        return value

    client = site.test_client()
    assert login(client, "member3").status_code == 302
    before = counts()
    from .helpers import SUBMIT

    response = client.post("/proposals/new", data={**SUBMIT, "title": "关于\x00改善的建议"})
    assert response.status_code == 422 and "控制字符" in response.get_data(as_text=True)
    assert "title" in response.get_data(as_text=True)
    response = client.post("/proposals/new", data={**SUBMIT, "content": "第一段\r\n\t第二段\x0c"})
    assert response.status_code == 422
    response = client.post("/modeler/proposal/save", json={"xml": "<definitions>\x00</definitions>"})
    assert response.status_code == 422 and "控制字符" in response.get_json()["error"]
    response = client.post("/instances/1/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"%PDF-1.4"), "报告\x00.pdf")})
    assert response.status_code == 422
    assert counts() == before
    ok = client.post("/proposals/new", data={**SUBMIT, "content": "第一段\r\n\t第二段"})  # tab and new lines are text
    assert ok.status_code == 302


# ---------------------------------------------------------------- 7. size limits

def _instances(db) -> int:
    from sqlalchemy import func, select

    from engine.models import Instance

    value = db.scalar(select(func.count()).select_from(Instance))
    db.rollback()
    return value


def test_text_fields_without_a_declared_length_are_limited(site, site_db):
    from engine.definitions.forms import TEXT_LIMIT

    from .helpers import SUBMIT, text

    client = site.test_client()
    assert login(client, "member2").status_code == 302
    form = client.get("/proposals/new").get_data(as_text=True)
    assert f'maxlength="{TEXT_LIMIT}"' in form and 'maxlength="100"' in form  # 内容 has none declared, 标题 100
    before = _instances(site_db)
    response = client.post("/proposals/new", data={**SUBMIT, "content": "长" * (TEXT_LIMIT + 1)})
    assert response.status_code == 422 and f"内容过长（最多 {TEXT_LIMIT} 字）" in text(response)
    assert _instances(site_db) == before
    assert client.post("/proposals/new", data={**SUBMIT, "content": "长" * TEXT_LIMIT}).status_code == 302


@pytest.fixture(scope="module")
def small_site(site_url):
    app = make_site(site_url, XIESHANG_UPLOAD_MAX_MB="1")
    yield app
    dispose(app)


def test_request_bodies_over_the_limit_are_a_413_in_words(small_site, site_db):
    from .helpers import SUBMIT, text

    client = small_site.test_client()
    assert login(client, "member2").status_code == 302
    before = _instances(site_db)
    response = client.post("/proposals/new", data={**SUBMIT, "content": "x" * (3 * 2**20)})  # over 1 + 1 MB
    assert response.status_code == 413 and "提交的内容过大（最多 2 MB）" in text(response)
    response = client.post("/proposals/new", data={**SUBMIT, "content": "长" * 200_000})  # 1.8 MB of fields
    assert response.status_code == 413 and "最多 1 MB" in text(response)
    json = client.post("/proposals/new", data={**SUBMIT, "content": "x" * (3 * 2**20)},
                       headers={"Accept": "application/json"})
    assert json.status_code == 413 and "过大" in json.get_json()["error"]
    assert _instances(site_db) == before


def test_the_modelers_save_refuses_a_working_copy_larger_than_import_takes(site, site_db):
    from engine.definitions import working_copies

    client = site.test_client()
    assert login(client, "admin").status_code == 302
    before = working_copies.get(site_db, "proposal").bpmn_xml
    site_db.rollback()
    xml = before.replace("</bpmn:definitions>", "<!--" + "x" * working_copies.MAX_BYTES + "--></bpmn:definitions>")
    response = client.post("/modeler/proposal/save", json={"xml": xml})
    assert response.status_code == 413 and "流程图过大" in response.get_json()["error"]
    assert working_copies.get(site_db, "proposal").bpmn_xml == before
    site_db.rollback()


# ---------------------------------------------------------------- 16. a deactivated person's claimed tasks

def test_deactivation_returns_claimed_tasks_to_the_pool_and_the_case_says_so(site, site_db):
    from sqlalchemy import select

    from engine.models import OpenTask, User

    from .helpers import REVIEW, SUBMIT, text

    client = site.test_client()
    assert login(client, "member1").status_code == 302
    created = client.post("/proposals/new", data={**SUBMIT, "title": "关于停用后待办退回的建议"})
    instance_id = int(created.location.rsplit("/", 1)[1])

    def task(bpmn_id):
        """(id, claimer) of the instance's open step, read in a transaction of its own."""
        row = site_db.execute(select(OpenTask.id, OpenTask.claimed_by_id).where(
            OpenTask.instance_id == instance_id, OpenTask.bpmn_id == bpmn_id)).one()
        site_db.rollback()
        return row

    client.post("/logout")
    assert login(client, "tiwei").status_code == 302
    assert client.post(f"/tasks/{task('review').id}", data=REVIEW).status_code == 302
    client.post("/logout")
    assert login(client, "office2").status_code == 302
    assert client.post(f"/tasks/{task('assign').id}/claim").status_code == 302
    office2 = site_db.scalars(select(User).where(User.username == "office2")).one()
    office2_id = office2.id
    site_db.rollback()
    assert task("assign").claimed_by_id == office2_id
    admin = site.test_client()
    assert login(admin, "admin").status_code == 302
    assert admin.post(f"/accounts/{office2_id}/active", data={"active": "0"}).status_code == 302
    assert task("assign").claimed_by_id is None
    page = text(admin.get(f"/instances/{instance_id}"))
    assert f"{office2.name}的账号已停用，该事项退回待认领。" in page
    assert admin.post(f"/accounts/{office2_id}/active", data={"active": "1"}).status_code == 302


# ---------------------------------------------------------------- 1. revocable sessions

def _copy(client):
    """Another browser holding a copy of this client's session cookie."""
    other = client.application.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _user_id(db, username: str) -> int:
    from sqlalchemy import select

    from engine.models import User

    value = db.scalar(select(User.id).where(User.username == username))
    db.rollback()
    return value


def test_logout_ends_a_copied_cookie_and_every_other_session(site):
    first, second = site.test_client(), site.test_client()
    assert login(first, "member3").status_code == 302 and login(second, "member3").status_code == 302
    copied = _copy(first)
    assert copied.get("/inbox").status_code == 200
    assert first.post("/logout").status_code == 302
    for client in (copied, second):
        response = client.get("/inbox")
        assert response.status_code == 302 and "/login" in response.location
    assert login(first, "member3").status_code == 302 and first.get("/inbox").status_code == 200  # logs in again


def test_changing_ones_password_keeps_this_session_and_ends_the_others(site):
    from .helpers import text

    here, there = site.test_client(), site.test_client()
    assert login(here, "member4").status_code == 302 and login(there, "member4").status_code == 302
    new = "neues-Passwort-2026"
    changed = here.post("/password", data={"current": PASSWORD, "new": new, "again": new})
    assert changed.status_code == 302, text(changed)
    assert here.get("/inbox").status_code == 200
    assert there.get("/inbox").status_code == 302
    back = here.post("/password", data={"current": new, "new": PASSWORD, "again": PASSWORD})  # for the other tests
    assert back.status_code == 302 and here.get("/inbox").status_code == 200


@pytest.mark.parametrize("change", ["reset", "roles", "deactivate"])
def test_an_administrators_change_ends_the_persons_sessions(site, site_db, change):
    person = site.test_client()
    assert login(person, "member5").status_code == 302 and person.get("/inbox").status_code == 200
    target = _user_id(site_db, "member5")
    admin = site.test_client()
    assert login(admin, "admin").status_code == 302
    if change == "reset":
        response = admin.post(f"/accounts/{target}/password", data={"mode": "set", "password": "Zuruecksetzen-1",
                                                                    "confirm": "Zuruecksetzen-1"})
    elif change == "roles":
        response = admin.post(f"/accounts/{target}", data={"unit": "", "roles": ["member", "proposal_committee"]})
    else:
        response = admin.post(f"/accounts/{target}/active", data={"active": "0"})
    assert response.status_code in (200, 302)
    assert person.get("/inbox").status_code == 302, f"still logged in after {change}"
    assert admin.get("/inbox").status_code == 200, "the administrator's own session goes on"
    # undo for the other tests
    if change == "reset":
        from engine.models import User
        from engine.people.passwords import hash_password

        user = site_db.get(User, target)
        user.password_hash, user.must_change_password = hash_password(PASSWORD), False
        site_db.commit()
    elif change == "roles":
        assert admin.post(f"/accounts/{target}", data={"unit": "", "roles": ["member"]}).status_code == 302
    else:
        assert admin.post(f"/accounts/{target}/active", data={"active": "1"}).status_code == 302
    assert login(person, "member5").status_code == 302


def test_an_administrator_changing_their_own_roles_stays_logged_in(site, site_db):
    admin, elsewhere = site.test_client(), site.test_client()
    assert login(admin, "admin").status_code == 302 and login(elsewhere, "admin").status_code == 302
    target = _user_id(site_db, "admin")
    page = admin.get(f"/accounts/{target}")
    import re

    chosen = re.findall(r'name="roles" value="([^"]+)"[^>]*checked', page.get_data(as_text=True))
    assert chosen, "the admin's roles are shown checked"
    response = admin.post(f"/accounts/{target}", data={"unit": "", "roles": [*chosen, "member"]})
    assert response.status_code == 302
    assert admin.get("/inbox").status_code == 200 and elsewhere.get("/inbox").status_code == 302
    assert admin.post(f"/accounts/{target}", data={"unit": "", "roles": chosen}).status_code == 302


# ---------------------------------------------------------------- 2. login throttling

def _failures(db, username: str) -> int:
    from sqlalchemy import func, select

    from engine.people.records import LoginFailure

    value = db.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username))
    db.rollback()
    return value


def test_an_account_is_throttled_after_five_failures_whichever_worker_counts_them(site, direct, site_db, caplog):
    import datetime as dt

    from engine import clock

    from .helpers import text

    workers = [site.test_client(), direct.test_client()]  # two app instances on one database, like two processes
    for attempt in range(5):
        response = login(workers[attempt % 2], "nyw_clerk", "wrong-password",
                         environ_base={"REMOTE_ADDR": f"192.0.2.{attempt + 1}"})
        assert response.status_code == 401 and "用户名或密码错误" in text(response)
    assert _failures(site_db, "nyw_clerk") == 5
    refused = login(site.test_client(), "nyw_clerk", environ_base={"REMOTE_ADDR": "192.0.2.50"})  # the right one
    assert refused.status_code == 429 and "登录失败次数过多，请 15 分钟后再试。" in text(refused)
    assert refused.headers["Retry-After"] == "900" and "/login" not in refused.headers.get("Location", "")
    assert "login throttled user=nyw_clerk" in caplog.text and "login failed user=nyw_clerk" in caplog.text
    assert _failures(site_db, "nyw_clerk") == 5, "a refused attempt is not counted again"
    clock.set_now(clock.now() + dt.timedelta(minutes=15, seconds=1))
    assert login(site.test_client(), "nyw_clerk", environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code == 302
    assert _failures(site_db, "nyw_clerk") == 0, "a successful login forgets the failures"


def test_an_address_is_throttled_after_twenty_failures_across_usernames(site):
    from .helpers import text

    client = site.test_client()
    flood = {"REMOTE_ADDR": "198.51.100.23"}
    for attempt in range(20):
        assert login(client, f"nobody{attempt}", "x", environ_base=flood).status_code == 401
    refused = login(client, "shw_clerk", environ_base=flood)
    assert refused.status_code == 429 and "分钟后再试" in text(refused)
    assert login(client, "shw_clerk", environ_base={"REMOTE_ADDR": "198.51.100.24"}).status_code == 302


def test_an_unknown_username_costs_one_password_hash_like_a_known_one(site, site_db, monkeypatch):
    from sqlalchemy import select

    import web.auth
    from engine.models import User

    checked: list[str] = []
    real = web.auth.check_password_hash
    monkeypatch.setattr(web.auth, "check_password_hash", lambda stored, pw: checked.append(stored) or real(stored, pw))
    client = site.test_client()
    for username in ("kww_clerk", "no-such-person"):
        assert login(client, username, "wrong-password", environ_base={"REMOTE_ADDR": "203.0.113.77"}).status_code == 401
    known, unknown = checked
    stored = site_db.scalar(select(User.password_hash).where(User.username == "kww_clerk"))
    site_db.rollback()
    assert known == stored and unknown != stored
    assert unknown.split("$", 1)[0] == stored.split("$", 1)[0], "the dummy hash costs what a real one costs"
