"""Template filters and globals shared by every blueprint."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import get_locale, gettext as _

from engine import clock
from web.i18n import LANGUAGES, N_
from web.pinyin import search_key

STATUS = {"running": N_("办理中"), "completed": N_("已办结"), "error": N_("出错")}
EVENT_KINDS = {
    "start": N_("发起"), "complete": N_("办理"), "timer": N_("到期自动流转"), "message": N_("收到消息"),
    "claim": N_("认领"), "release": N_("取消认领"), "reassign": N_("转办"), "delegate": N_("委托"),
    "return": N_("交回"), "migrate": N_("迁移到新版本"), "opinion": N_("意见"), "attachment": N_("上传附件"),
    "deadline": N_("期限重算"),
}


def local(value: dt.datetime | None) -> dt.datetime | None:
    """Database datetimes in Beijing time (SQLite hands them back naive, already in Beijing time)."""
    if value is None:
        return None
    return value.replace(tzinfo=clock.TZ) if value.tzinfo is None else value.astimezone(clock.TZ)


def format_datetime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    moment = local(value)
    return moment.strftime(fmt) if moment else ""


def format_date(value: dt.datetime | None) -> str:
    return format_datetime(value, "%Y-%m-%d")


def is_overdue(value: dt.datetime | None) -> bool:
    moment = local(value)
    return moment is not None and moment < clock.now()


def status_text(value: str) -> str:
    return _(STATUS.get(value, value))


def event_kind_text(value: str) -> str:
    return _(EVENT_KINDS.get(value, value))


def _globals() -> dict[str, Any]:
    locale = str(get_locale() or "zh_CN")
    return {"languages": LANGUAGES, "lang_url": _with_lang, "html_lang": "en" if locale == "en" else "zh-CN"}


def _with_lang(code: str) -> str:
    args = request.args.to_dict()
    args["lang"] = code
    return request.path + "?" + urlencode(args)


def init_app(app: Flask) -> None:
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(status_text, "status")
    app.add_template_filter(event_kind_text, "event_kind")
    app.add_template_global(is_overdue, "is_overdue")
    app.add_template_filter(search_key, "pinyin")
    app.context_processor(_globals)
