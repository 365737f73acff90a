"""Refusals: engine errors and HTTP errors become a Chinese page (or JSON), each one logged."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from engine.errors import FormInvalid, XieshangError
from web.db import rollback
from web.i18n import N_, translated, translated_errors

log = logging.getLogger("xieshang.web")

TITLES = {
    400: N_("请求无效"), 403: N_("无权访问"), 404: N_("页面不存在"), 405: N_("不支持此操作"),
    409: N_("操作未能完成"), 413: N_("内容过大"), 422: N_("填写的内容有误"), 500: N_("系统出错"),
}
CONFLICT = N_("该任务已被他人办理或已关闭")


def wants_json() -> bool:
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def refuse(status: int, message: str, errors: dict[str, str] | None = None) -> Any:
    rollback()
    message, errors = translated(message), translated_errors(errors)
    user = current_user.username if current_user and current_user.is_authenticated else "-"
    log.warning("refused %s %s %s user=%s: %s", status, request.method, request.path, user, message)
    if wants_json():
        body: dict[str, Any] = {"status": status, "error": message}
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    title = _(TITLES.get(status, TITLES[400]))
    return render_template("errors/error.html", status=status, title=title, message=message,
                           errors=errors or {}), status


def _engine_error(err: XieshangError) -> Any:
    return refuse(err.status, err.message, err.errors if isinstance(err, FormInvalid) else None)


def _csrf_error(err: CSRFError) -> Any:
    return refuse(400, _("页面已过期或来源不明，请刷新页面后重新提交。"))


def _stale(err: StaleDataError) -> Any:
    return refuse(409, _(CONFLICT))


def _http_error(err: HTTPException) -> Any:
    status = err.code or 500
    messages = {
        403: _("您没有权限查看或办理此项内容。"),
        404: _("您要找的页面不存在，或您无权查看。"),
        405: _("不支持此操作。"),
        409: _(CONFLICT),
    }
    return refuse(status, messages.get(status, _(TITLES.get(status, TITLES[400]))))


def _server_error(err: HTTPException) -> Any:
    log.error("error 500 %s %s", request.method, request.path, exc_info=getattr(err, "original_exception", None))
    return refuse(500, _("系统出错，本次操作未保存。请稍后再试或联系管理员。"))


def init_app(app: Flask) -> None:
    app.register_error_handler(XieshangError, _engine_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(StaleDataError, _stale)
    for code in (400, 403, 404, 405, 409, 422):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(500, _server_error)
