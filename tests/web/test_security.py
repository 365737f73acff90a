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

