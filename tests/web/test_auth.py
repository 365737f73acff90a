"""Login, logout, safe redirects, language switch."""
from __future__ import annotations

import pytest

from .helpers import text


def test_login_page_is_chinese(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = text(response)
    assert "登录" in page and "用户名" in page and "密码" in page
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and response.location == "/login?next=%2Finbox"
    assert client.get("/").location == "/inbox"


def test_login_ok_then_logout(client, auth):
    response = auth.login("member1")
    assert response.status_code == 302 and response.location == "/inbox"
    page = text(client.get("/inbox"))
    assert "张明（委员）" in page and "我的待办" in page and "提交提案" in page and "我的提案" in page
    response = auth.logout()
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/inbox").status_code == 302


def test_user_unit_is_shown(client, auth):
    auth.login("czj_clerk")
    page = text(client.get("/inbox"))
    assert "县财政局经办人" in page and "县财政局" in page
    assert "提交提案" not in page  # not a member


@pytest.mark.parametrize("username, password", [("member1", "wrong"), ("nobody", "xieshang"), ("member1", "")])
def test_bad_credentials(client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "用户名或密码错误" in text(response)
    assert client.get("/inbox").status_code == 302


def test_inactive_user_cannot_log_in(client, auth, db, user):
    user("member5").active = False
    db.commit()
    assert auth.login("member5").status_code == 401


def test_deactivated_user_loses_the_session(client, auth, db, user):
    auth.login("member5")
    assert client.get("/inbox").status_code == 200
    user("member5").active = False
    db.commit()
    assert client.get("/inbox").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/proposals", "/proposals"),
    ("//evil.example/x", "/inbox"),
    ("https://evil.example/", "/inbox"),
    ("/\\evil.example", "/inbox"),
    ("javascript:alert(1)", "/inbox"),
])
def test_next_redirect_is_safe(client, target, expected):
    response = client.post("/login", data={"username": "member1", "password": "xieshang", "next": target})
    assert response.status_code == 302 and response.location == expected


def test_logged_in_user_visiting_login_goes_on(client, auth):
    auth.login("member1")
    assert client.get("/login?next=/proposals").location == "/proposals"


def test_language_switch_is_remembered(client, auth):
    response = client.get("/login?lang=en")
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.get("/login?lang=zh_CN")
    assert '<html lang="zh-CN">' in client.get("/login").get_data(as_text=True)


def test_english_ui(client, auth):
    auth.login("tiwei")
    page = text(client.get("/inbox?lang=en"))
    assert "My tasks" in page and "Log out" in page and "我的待办" not in page


def test_english_catalog_is_complete_and_current():
    """Every gettext string in web/ is in the compiled English catalog (see web/babel.cfg to regenerate)."""
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.mofile import read_mo

    web = Path(__file__).resolve().parents[2] / "web"
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    used = {message for _file, _line, message, *_rest in extract_from_dir(
        web, [("**.py", "python"), ("templates/**.html", "jinja2")], keywords=keywords)}
    with open(web / "translations" / "en" / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    assert len(used) > 60
    missing = sorted(m for m in used if not (compiled.get(m) and compiled.get(m).string))
    assert missing == []
