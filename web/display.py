"""Submitted data shown read-only: the schema's Chinese labels and choice titles instead of keys and codes."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from flask_babel import gettext as _

from web.forms import PICKER_WIDGETS, choices_of
from web.i18n import N_

NameOf = Callable[[str, str], str]  # ('unit' | 'member', code) -> display name
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

# Keys that the engine or a diagram's scripts put into the data without a form declaring them. A form may add
# its own with a top-level "x-labels": {"key": "标签"}.
DATA_LABELS = {
    "number": N_("编号"), "proposer": N_("提案人账号"), "proposer_name": N_("提案人"), "started_by": N_("发起人"),
    "cosign_results": N_("联名确认情况"), "return_deadline": N_("退回期限"), "reply_due": N_("答复期限"),
    "assigned_at": N_("交办时间"), "co_opinions": N_("会办意见"), "main_reply": N_("主办单位答复"),
}
# Display hints for those keys, so that unit codes and usernames show as names.
DATA_PROPS: dict[str, dict[str, Any]] = {
    "proposer": {"x-widget": "member"}, "started_by": {"x-widget": "member"},
}
# Keys inside structured values that diagrams build (cosign results, co-handling opinions, message payloads).
SUB_PROPS: dict[str, dict[str, Any]] = {
    "user": {"title": N_("委员"), "x-widget": "member"}, "agree": {"title": N_("同意")}, "comment": {"title": N_("意见")},
    "unit": {"title": N_("单位"), "x-widget": "unit"}, "opinion": {"title": N_("意见")},
}


@dataclass
class Item:
    key: str
    label: str
    text: str
    long: bool = False  # render as a block (textarea content)


def properties_of(schemas: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """All top-level properties of a process's forms (keys are flat and shared across steps; the first wins),
    plus the labels of undeclared keys (DATA_LABELS and each form's `x-labels`)."""
    props: dict[str, dict[str, Any]] = {}
    extra: dict[str, str] = {key: _(label) for key, label in DATA_LABELS.items()}
    for schema in schemas:
        for key, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict):
                props.setdefault(key, prop)
        extra.update({k: str(v) for k, v in (schema.get("x-labels") or {}).items()})
    for key, label in extra.items():
        if key not in props or not props[key].get("title"):
            props[key] = {**DATA_PROPS.get(key, {}), **props.get(key, {}), "title": label}
    return props


def readable(prop: Mapping[str, Any], value: Any, name_of: NameOf | None = None,
             props: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """`props` labels the keys of dict values (e.g. a message payload that repeats other steps' keys)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        item_prop = dict(prop.get("items") or {})
        if prop.get("x-widget") in ("units", "members"):
            item_prop["x-widget"] = prop["x-widget"][:-1]
        separator = "\n" if any(isinstance(v, dict) for v in value) else "、"
        return separator.join(readable(item_prop, v, name_of, props) for v in value)
    for const, title in choices_of(prop) or []:
        if const == value and type(const) is type(value):
            return title
    picker = PICKER_WIDGETS.get(str(prop.get("x-widget")))
    if picker and name_of and isinstance(value, str):
        return name_of(picker, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return _moment(value)
    if isinstance(value, dict):
        return "；".join(_pair(k, v, name_of, props or {}) for k, v in value.items() if v not in (None, "", []))
    return str(value)


def _pair(key: str, value: Any, name_of: NameOf | None, props: Mapping[str, Mapping[str, Any]]) -> str:
    sub = dict(SUB_PROPS.get(key, {}))
    if key in props:
        sub = {**props[key], "title": props[key].get("title") or sub.get("title")}
    text = readable(sub, value, name_of)
    if value is True and key == "agree":
        text = _("同意")
    elif value is False and key == "agree":
        text = _("不同意")
    return f"{_(sub['title']) if sub.get('title') else key}：{text}" if key != "agree" else text


def _moment(value: str) -> str:
    from web.views import format_datetime

    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.strftime("%Y-%m-%d %H:%M") if moment.tzinfo is None else format_datetime(moment)


def items(data: Mapping[str, Any], props: Mapping[str, Mapping[str, Any]], keys: Iterable[str] | None = None,
          name_of: NameOf | None = None) -> list[Item]:
    """Labelled values of `keys` (default: every key of `data` except internal ones) in schema order."""
    if keys is None:
        order = {k: i for i, k in enumerate(props)}
        keys = sorted((k for k in data if k != "typename" and not k.startswith("_")),
                      key=lambda k: (order.get(k, len(order)), k))
    result = []
    for key in keys:
        if data.get(key) in (None, "", []):  # an answer left empty says nothing
            continue
        prop = props.get(key, {})
        value = data[key]
        structured = isinstance(value, list) and any(isinstance(v, dict) for v in value)
        result.append(Item(key=key, label=str(prop.get("title") or key), text=readable(prop, value, name_of, props),
                           long=prop.get("x-widget") == "textarea" or structured))
    return result
