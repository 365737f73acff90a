"""A case's data in readable form: the forms' labels and choice titles, repeated groups as tables, file fields as
links — from the audit events (what people entered), never from a deserialized workflow."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from flask import g
from sqlalchemy.orm import Session

from engine.cases import attachments, history
from engine.cases.records import Attachment
from web.display import NameOf, items, properties_of, readable
from web.forms import widget_for
from web.lookups import name_lookup, version_forms

ENTRY_KINDS = ("start", "complete")  # events whose data is what someone entered in a form


@dataclass
class Entry:
    key: str
    label: str
    text: str = ""
    long: bool = False
    files: list[Attachment] = field(default_factory=list)  # a file field's attachments
    columns: list[str] = field(default_factory=list)  # a repeated group: column titles …
    rows: list[list[str]] = field(default_factory=list)  # … and its rows


@dataclass
class Round:
    """What one step (or the start) entered, in the order the case went: the case page's 已填写的内容."""
    label: str  # the step's name, with （第 n 次） when the same person did that step more than once
    actor: str
    at: Any
    entries: list[Entry]


def round_labels(events: Iterable[Any]) -> list[str]:
    """The step name of each entry event; a step one person did more than once (a reply redone after 不满意, a
    review after 退回修改) is numbered, while a step many did side by side (联名确认, 会办意见) is not."""
    from flask_babel import gettext as _

    entry_events = [e for e in events if e.kind in ENTRY_KINDS]
    keys = [(e.bpmn_id or e.task_name or e.kind, e.actor_id) for e in entry_events]
    totals = {key: keys.count(key) for key in keys}
    seen: dict[Any, int] = {}
    labels = []
    for event, key in zip(entry_events, keys):
        seen[key] = seen.get(key, 0) + 1
        name = event.task_name or (_("发起") if event.kind == "start" else event.bpmn_id or "")
        labels.append(_("%(step)s（第 %(n)s 次）", step=name, n=seen[key]) if totals[key] > 1 else name)
    return labels


def merged(events: Iterable[Any]) -> dict[str, Any]:
    """Everything entered so far; a later step's answer to the same key wins."""
    data: dict[str, Any] = {}
    for event in events:
        if event.kind in ENTRY_KINDS:
            data.update(event.data or {})
    return data


def file_ids(data: Mapping[str, Any], props: Mapping[str, Mapping[str, Any]]) -> list[int]:
    ids: list[int] = []
    for key, value in data.items():
        if (props.get(key) or {}).get("x-widget") in ("file", "files"):
            ids.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int))
    return ids


def entries(data: Mapping[str, Any], props: Mapping[str, Mapping[str, Any]], name_of: NameOf,
            files: Mapping[int, Attachment], keys: Iterable[str] | None = None) -> list[Entry]:
    result = []
    for item in items(data, props, keys, name_of):
        prop, value = props.get(item.key) or {}, data[item.key]
        entry = Entry(key=item.key, label=item.label, text=item.text, long=item.long)
        if prop.get("x-widget") in ("file", "files"):
            entry.files = [files[v] for v in (value if isinstance(value, list) else [value]) if v in files]
            entry.text = "" if entry.files else item.text
        elif widget_for(prop) == "group" and isinstance(value, list):
            entry.columns, entry.rows = _table(prop, value, name_of)
        result.append(entry)
    return result


def _table(prop: Mapping[str, Any], rows: list, name_of: NameOf) -> tuple[list[str], list[list[str]]]:
    columns = {name: sub for name, sub in ((prop.get("items") or {}).get("properties") or {}).items()
               if isinstance(sub, dict) and name != "typename"}
    used = [name for name in columns if any(isinstance(r, dict) and r.get(name) not in (None, "", []) for r in rows)]
    titles = [str(columns[name].get("title") or name) for name in used]
    body = [[readable(columns[name], row.get(name), name_of) if row.get(name) not in (None, "") else ""
             for name in used] for row in rows if isinstance(row, dict)]
    return titles, body


class CaseData:
    """Per request: an instance's props, entered data and attachments, for the case page and task pages."""

    def __init__(self, session: Session, instance: Any, events: list | None = None):
        self.events = events if events is not None else history.events_for(session, instance.id)
        self.props = properties_of(version_forms(session, instance.version_id))
        self.name_of = name_lookup(session)
        self.data = merged(self.events)
        ids = file_ids(self.data, self.props)
        for event in self.events:
            ids.extend(file_ids(event.data or {}, self.props))
        self.files = attachments.by_ids(session, ids)
        self.files = {k: v for k, v in self.files.items() if v.instance_id == instance.id}

    def rounds(self) -> list[Round]:
        """Every step's entries in the order the steps happened, earlier rounds kept (nothing merged away)."""
        entry_events = [e for e in self.events if e.kind in ENTRY_KINDS]
        found = []
        for event, label in zip(entry_events, round_labels(self.events)):
            shown = self.entries(event.data or {})
            if shown:
                found.append(Round(label, event.actor.name if event.actor else "", event.at, shown))
        return found

    def entries(self, data: Mapping[str, Any] | None = None, keys: Iterable[str] | None = None) -> list[Entry]:
        return entries(self.data if data is None else data, self.props, self.name_of, self.files, keys)


def rich_entry(session: Session, instance: Any, key: str) -> Entry | None:
    """For a read-only item on a task page: the table or file links of a group or file field, else None."""
    cache = g.setdefault("case_data", {})
    if instance.id not in cache:
        cache[instance.id] = CaseData(session, instance)
    case = cache[instance.id]
    prop = case.props.get(key) or {}
    if key not in case.data or (prop.get("x-widget") not in ("file", "files") and widget_for(prop) != "group"):
        return None
    found = case.entries(keys=[key])
    return found[0] if found else None
