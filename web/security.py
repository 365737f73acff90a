"""What every request passes through before and after its view, whatever the page: the deployment's transport
(Secure cookies behind TLS, proxy headers trusted only when configured), input that no page accepts (control
characters) and its size, and the security headers of every answer.

Each guard lives here once instead of in the views, so that a new page is covered without a line of its own.
"""
from __future__ import annotations

import logging
import re
from collections import deque
from typing import Any, Iterator

from flask import Flask, Response, current_app, request, session
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from engine.settings import Settings

log = logging.getLogger("xieshang.security")

# No inline script, no eval, nothing from another site (the pages have none: keep it that way). Inline style
# attributes stay allowed: bpmn-js and ECharts draw with them. Violations are reported to /csp-report and logged.
CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
    "font-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
    "frame-ancestors 'none'", "report-uri /csp-report",
])
CSP_REPORTS = "xieshang_csp_reports"  # app.extensions: the latest reports, for tests and a look in a debugger


def init_app(app: Flask, settings: Settings) -> None:
    """Before any other hook: a refused request never reaches the database or a view."""
    _transport(app, settings)
    _limits(app, settings)
    app.before_request(_refuse_control_characters)
    app.after_request(_headers)
    app.extensions[CSP_REPORTS] = deque(maxlen=100)
    app.add_url_rule("/csp-report", "csp_report", _csp_report, methods=["POST"])
    from web import csrf

    csrf.exempt(_csp_report)  # the browser posts it, with no token


# ---------------------------------------------------------------- transport

def _transport(app: Flask, settings: Settings) -> None:
    """Behind TLS (XIESHANG_SECURE_COOKIES) the session cookie is Secure and browsers are told to keep to HTTPS.
    X-Forwarded-* headers are believed only from as many proxies as XIESHANG_TRUSTED_PROXIES names: without it a
    client could claim any address (login throttling counts per address) or scheme."""
    if settings.secure_cookies:
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")

        @app.after_request
        def _hsts(response):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops,  # type: ignore
                                x_prefix=hops)


# ---------------------------------------------------------------- sizes

MB = 2**20
FORM_FIELDS_BYTES = MB  # a form's fields without its files (URL-encoded: up to 9 bytes per Chinese character)


def _limits(app: Flask, settings: Settings) -> None:
    """No request body larger than the largest attachment and a little room (the attachment pages check their own
    limit before reading), no form's fields over 1 MB: 413 in words, before a view reads anything. Text fields are
    limited by their form (engine.definitions.forms.TEXT_LIMIT when it declares none), working copies by
    engine.definitions.working_copies.MAX_BYTES."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = int((settings.upload_max_mb + 1) * MB)
    app.config["MAX_FORM_MEMORY_SIZE"] = FORM_FIELDS_BYTES  # each multipart text part
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.before_request(_limit_plain_forms)


def _limit_plain_forms() -> None:
    """A URL-encoded form has only fields: the same 1 MB as a multipart form's text parts (werkzeug checks those)."""
    if request.mimetype == "application/x-www-form-urlencoded" and (request.content_length or 0) > FORM_FIELDS_BYTES:
        raise RequestEntityTooLarge()


def _too_large(err: RequestEntityTooLarge) -> Any:
    from web.errors import refuse

    limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length <= limit:  # the fields, not the whole body
        limit = FORM_FIELDS_BYTES
    return refuse(413, _("提交的内容过大（最多 %(mb)s MB），未保存。附件请压缩或拆分后上传，长文请精简。",
                         mb=f"{limit / MB:g}"))


# ---------------------------------------------------------------- input

# C0 controls but tab, line feed and carriage return (a textarea's own), DEL and the C1 controls: no page has a use for
# them, PostgreSQL refuses NUL in text (a 500 before this check), and they hide text in logs and exports.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse_control_characters() -> Any:
    """Every way input enters, checked before any view: the URL's parts, the query string, form fields (names and
    values), uploaded files' names and JSON bodies. 422 with the fields named (401 on the login page)."""
    fields = sorted({name for name, value in _inputs() if CONTROL.search(value)})
    if not fields:
        return None
    message = _("提交的内容含有不允许的控制字符（如 NUL），请删除后重新提交。")
    log.warning("control characters refused %s %s in %s from %s", request.method, request.path, ", ".join(fields),
                request.remote_addr)
    if request.endpoint == "auth.login":
        from web.auth import login_page

        return login_page(message, status=401)
    from web.errors import refuse

    return refuse(422, message, {CONTROL.sub("?", name): _("含有不允许的控制字符") for name in fields})


def _inputs() -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text the request carries."""
    yield "path", request.path
    for name, value in request.args.items(multi=True):
        yield name, name
        yield name, value
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for name, value in request.form.items(multi=True):
        yield name, name
        yield name, value
    for name, upload in request.files.items(multi=True):
        yield name, name
        yield name, upload.filename or ""
    if request.is_json:
        yield from _json_texts("json", request.get_json(silent=True))


def _json_texts(where: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key), str(key)
            yield from _json_texts(str(key), item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_texts(where, item)


# ---------------------------------------------------------------- headers

def _headers(response: Response) -> Response:
    """Every answer: no MIME sniffing, no Referer to other sites. HTML pages: the CSP and no framing. Whatever is
    answered to someone logged in (not the stylesheets and scripts) is never stored by the browser or a proxy, so
    the back button after 退出 or a shared computer's cache shows nothing."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static" and "_user_id" in session:
        headers["Cache-Control"] = "no-store"
    return response


def _csp_report() -> tuple[str, int]:
    """What a browser refused under the CSP: logged for the administrator (nothing is stored)."""
    report = request.get_data(cache=False)[:4096].decode("utf-8", "replace")
    current_app.extensions[CSP_REPORTS].append(report)
    log.warning("content security policy violation: %s", report)
    return "", 204
