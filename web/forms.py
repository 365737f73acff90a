"""JSON Schema (processes/forms/*.json) → renderable fields, and a POSTed form → typed data.

Only the top-level `properties` of an object schema are rendered. A key named `typename` and properties of a type
this module does not know (plain objects, arrays of numbers, …) are neither rendered nor read back.
Arrays of objects are repeated groups (one row per item, inputs named `key.row.column`); `x-widget: file` holds an
attachment id; fields that a simple `if`/`then` asks for carry the condition so that a small script shows them only
when it holds. The engine validates the typed data against the full schema; this module only converts types.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from flask_babel import gettext as _

Choice = tuple[str, str]  # (value as sent by the browser, Chinese title)
OptionsFor = Callable[[str], list[Choice]]  # 'unit' | 'member' -> choices from the database

PICKER_WIDGETS = {"unit": "unit", "units": "unit", "member": "member", "members": "member",
                  "liaison_group": "liaison_group",  # a 委员联络活动组 of the roster, by name
                  "gov_leader": "gov_leader", "cppcc_leader": "cppcc_leader"}  # 重点提案's 领办 and 督办 leaders
# Pickers whose value the engine checks itself when the step is completed (registry.add_reference_check): a POST
# need not read their whole list to check a choice; the engine reads the one named.
CHECKED_BY_THE_ENGINE = {"liaison_group", "gov_leader", "cppcc_leader"}
RADIO_LIMIT = 5  # at most this many choices → radio buttons, otherwise a select
_INT = re.compile(r"^[+-]?\d+$")


@dataclass
class Field:
    key: str
    title: str
    widget: str  # text textarea integer number date checkbox yesno radio select checkboxes multiselect lines
    #              file group
    description: str = ""
    required: bool = False
    required_if: bool = False  # required only for some answers to other questions
    choices: list[Choice] = field(default_factory=list)
    value: Any = None
    error: str = ""
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    show_if: dict[str, list[str]] = field(default_factory=dict)  # shown only when one of these keys has one of the values
    columns: list["Field"] = field(default_factory=list)  # group: the cells of a blank row (keys `key.__i__.column`)
    rows: list[list["Field"]] = field(default_factory=list)  # group: the rows, filled ones first, then blank ones
    min_rows: int = 0

    @property
    def show_if_json(self) -> str:
        return json.dumps(self.show_if, ensure_ascii=False) if self.show_if else ""

    @property
    def options(self) -> list[tuple[str, str, str]]:
        """(value, title, pinyin) of each choice: a picker matches typed pinyin initials on the page."""
        from web.pinyin import search_key

        return [(value, title, search_key(title)) for value, title in self.choices]

    @property
    def form_value(self) -> str:
        return form_text(self.value, self.widget)

    @property
    def form_values(self) -> list[str]:
        if isinstance(self.value, list):
            return [form_text(v) for v in self.value]
        return [] if self.value is None else [form_text(self.value)]


@dataclass
class ParsedForm:
    data: dict[str, Any]  # typed values for the engine
    errors: dict[str, str]  # conversion errors (key -> Chinese message)
    echo: dict[str, Any]  # what to show again when re-rendering (raw text where conversion failed)


def form_text(value: Any, widget: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(form_text(v) for v in value) if widget == "lines" else ",".join(map(form_text, value))
    return str(value)


def choices_of(prop: Mapping[str, Any]) -> list[tuple[Any, str]] | None:
    """(const, title) pairs from `oneOf`/`anyOf` const+title or from `enum`; None if the property has no choices."""
    for keyword in ("oneOf", "anyOf"):
        options = prop.get(keyword)
        if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
            return [(o["const"], str(o.get("title", o["const"]))) for o in options]
    if isinstance(prop.get("enum"), list):
        return [(v, yes_no(v) if isinstance(v, bool) else str(v)) for v in prop["enum"]]
    return None


def yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def renderable(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Top-level properties, then any declared only inside `allOf`/`if`-`then`/`else` branches."""
    props: dict[str, dict[str, Any]] = {}
    for part in _parts(schema):
        for key, prop in (part.get("properties") or {}).items():
            if key != "typename" and isinstance(prop, dict) and key not in props and widget_for(prop):
                props[key] = prop
    return props


def conditionally_required(schema: Mapping[str, Any]) -> set[str]:
    return {key for part in _parts(schema) if part is not schema for key in part.get("required") or []}


def _parts(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    parts = [schema]
    for branch in [*(schema.get("allOf") or []), schema.get("then"), schema.get("else")]:
        if isinstance(branch, dict) and branch:
            parts.extend(_parts(branch))
    return parts


def widget_for(prop: Mapping[str, Any]) -> str | None:
    hint = prop.get("x-widget")
    kind = prop.get("type")
    if hint == "file" and kind in ("integer", "string"):
        return "file"
    if kind == "array":
        items = prop.get("items") or {}
        if items.get("type") == "object":
            return "group" if any(_cell_widget(p) for p in (items.get("properties") or {}).values()) else None
        if items.get("type", "string") != "string" and not choices_of(items):
            return None
        if hint in ("units", "members"):
            return "multiselect"
        return "checkboxes" if choices_of(items) else "lines"
    choices = choices_of(prop)
    if choices is not None:
        if hint in ("radio", "select"):
            return hint
        return "radio" if len(choices) <= RADIO_LIMIT else "select"
    if kind == "boolean":
        return "yesno" if hint in ("radio", "yesno") else "checkbox"
    if kind in ("integer", "number"):
        return kind
    if kind == "string":
        if hint in ("unit", "member", "liaison_group", "gov_leader", "cppcc_leader"):
            return "select"
        if hint == "textarea":
            return "textarea"
        return "date" if prop.get("format") == "date" else "text"
    return None


def prefill(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """What a task form shows before anyone typed: the case's value of each of its fields that already has one
    (a step that revises earlier input opens with it, as Camunda and SpiffArena forms do). A field marked
    `"x-prefill": false` starts empty (or at its default); so does every field of a form marked so at its top."""
    if schema.get("x-prefill") is False:
        return {}
    return {key: data[key] for key, prop in renderable(schema).items()
            if prop.get("x-prefill") is not False and data.get(key) not in (None, "", [])}


def build_fields(schema: Mapping[str, Any], values: Mapping[str, Any] | None = None,
                 errors: Mapping[str, str] | None = None, options_for: OptionsFor | None = None) -> list[Field]:
    values, errors = values or {}, errors or {}
    required = set(schema.get("required") or [])
    required_if = conditionally_required(schema) - required
    conditions = show_conditions(schema)
    fields = []
    for key, prop in renderable(schema).items():
        widget = widget_for(prop)
        assert widget is not None
        made = _field(key, prop, widget, values.get(key, prop.get("default")), errors.get(key, ""),
                      key in required, options_for)
        made.required_if, made.show_if = key in required_if, conditions.get(key, {}) if key not in required else {}
        if widget == "group":
            _build_rows(made, prop, values.get(key), errors, options_for)
        fields.append(made)
    return fields


def _field(key: str, prop: Mapping[str, Any], widget: str, value: Any, error: str, required: bool,
           options_for: OptionsFor | None) -> Field:
    return Field(key=key, title=str(prop.get("title") or key), widget=widget,
                 description=str(prop.get("description") or ""), required=required,
                 choices=_choices_for(prop, options_for) if widget != "group" else [], value=value, error=error,
                 max_length=_max_length(prop), minimum=prop.get("minimum"), maximum=prop.get("maximum"))


# Repeated groups -------------------------------------------------------------------------------------------------
BLANK_ROWS = 2  # blank rows offered when a group has none yet (more with the "再加一行" button, or by script)


def _cell_widget(prop: Any) -> str | None:
    widget = widget_for(prop) if isinstance(prop, Mapping) else None
    return widget if widget not in (None, "group", "file", "lines", "checkboxes", "multiselect") else None


def _columns(prop: Mapping[str, Any]) -> dict[str, tuple[Mapping[str, Any], str]]:
    items = prop.get("items") or {}
    return {name: (sub, widget) for name, sub in (items.get("properties") or {}).items()
            if name != "typename" and (widget := _cell_widget(sub))}


def _build_rows(group: Field, prop: Mapping[str, Any], value: Any, errors: Mapping[str, str],
                options_for: OptionsFor | None) -> None:
    required = set((prop.get("items") or {}).get("required") or [])
    columns = _columns(prop)
    rows = [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []
    group.min_rows = int(prop.get("minItems") or 0)
    filled = [row for row in rows if not _blank(row)]
    blanks = max(group.min_rows - len(filled), BLANK_ROWS if not filled else 1)
    if rows and _blank(rows[-1]):  # rows kept by a draft already end with blank ones ("再加一行")
        blanks = 0
    rows = rows + [{}] * blanks

    def cell(index: Any, name: str, row: Mapping[str, Any]) -> Field:
        sub, widget = columns[name]
        key = f"{group.key}.{index}.{name}"
        return _field(key, sub, widget, row.get(name), errors.get(key, ""), name in required, options_for)

    group.rows = [[cell(i, name, row) for name in columns] for i, row in enumerate(rows)]
    group.columns = [cell("__i__", name, {}) for name in columns]
    if not group.error and any(c.error for row in group.rows for c in row):
        group.error = _("请按提示修改下面的行")


def _blank(row: Mapping[str, Any]) -> bool:
    return all(v in (None, "", False, []) for v in row.values())


# Conditional fields ------------------------------------------------------------------------------------------------
def show_conditions(schema: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Field → {controlling key: values} for fields that an `if` on one key's const/enum brings in (`then`)."""
    found: dict[str, dict[str, list[str]]] = {}
    branches = [schema, *(b for b in schema.get("allOf") or [] if isinstance(b, Mapping))]
    for branch in branches:
        condition, then = branch.get("if"), branch.get("then")
        if not isinstance(condition, Mapping) or not isinstance(then, Mapping):
            continue
        tests = condition.get("properties") or {}
        if len(tests) != 1:
            continue
        (key, test), = tests.items()
        values = [test["const"]] if "const" in test else test.get("enum") if isinstance(test, Mapping) else None
        if not isinstance(values, list):
            continue
        for name in [*(then.get("required") or []), *(then.get("properties") or {})]:
            if name != key:
                wanted = found.setdefault(name, {}).setdefault(key, [])
                wanted.extend(v for v in map(form_text, values) if v not in wanted)
    return found


def _choices_for(prop: Mapping[str, Any], options_for: OptionsFor | None) -> list[Choice]:
    picker = PICKER_WIDGETS.get(str(prop.get("x-widget")))
    if picker and prop.get("type") in ("string", "array"):
        return options_for(picker) if options_for else []
    source = (prop.get("items") or {}) if prop.get("type") == "array" else prop
    return [(form_text(const), title) for const, title in choices_of(source) or []]


def parse_form(schema: Mapping[str, Any], form: Any, options_for: OptionsFor | None = None) -> ParsedForm:
    """Convert a werkzeug MultiDict (request.form) to typed data for the rendered properties only.
    With `options_for`, unit and member pickers accept only the codes offered."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    echo: dict[str, Any] = {}
    for key, prop in renderable(schema).items():
        widget = widget_for(prop)
        try:
            if widget == "group":
                data[key], echo[key] = _parse_rows(key, prop, form, options_for, errors)
                continue
            if widget in ("multiselect", "checkboxes"):
                echo[key] = [r.strip() for r in form.getlist(key) if r.strip()]
                data[key] = _typed_list(prop, echo[key], options_for)
                continue
            raw = form.get(key, "")
            raw = raw.strip() if widget not in ("textarea", "lines") else raw.replace("\r\n", "\n").strip()
            echo[key] = raw
            if widget == "checkbox":
                data[key] = echo[key] = raw.lower() in ("on", "true", "1", "yes")
            elif widget == "lines":
                data[key] = echo[key] = [line.strip() for line in raw.split("\n") if line.strip()]
            elif raw != "":
                data[key] = echo[key] = _convert(prop, widget, raw, options_for)
        except ValueError as exc:
            errors[key] = str(exc)
    return ParsedForm(data, errors, echo)


def all_errors(schema: Mapping[str, Any], parsed: ParsedForm) -> dict[str, str]:
    """When some inputs could not be converted, also run the engine's schema check on the rest so that every
    problem shows at once (nothing is submitted)."""
    from engine.errors import FormInvalid
    from engine.definitions.forms import validate

    if not parsed.errors:
        return {}
    try:
        validate(dict(schema), parsed.data)
    except FormInvalid as invalid:
        return {**invalid.errors, **parsed.errors}
    return parsed.errors


def _parse_rows(key: str, prop: Mapping[str, Any], form: Any, options_for: OptionsFor | None,
                errors: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows in index order without blank ones; `echo` keeps the blank rows at the end (a draft shows them again)
    so that its indexes still match the data's (and the engine's error keys)."""
    prefix = f"{key}."
    indexes = sorted({int(name.split(".")[1]) for name in form.keys()
                      if name.startswith(prefix) and name.count(".") == 2 and name.split(".")[1].isdigit()})
    data, echo, trailing = [], [], []
    for index in indexes[:200]:
        row, raw_row = {}, {}
        for name, (sub, widget) in _columns(prop).items():
            cell_key = f"{key}.{index}.{name}"
            raw = form.get(cell_key, "")
            raw = raw.replace("\r\n", "\n").strip() if widget == "textarea" else raw.strip()
            raw_row[name] = raw
            try:
                if widget == "checkbox":
                    row[name] = raw_row[name] = raw.lower() in ("on", "true", "1", "yes")
                elif raw != "":
                    row[name] = raw_row[name] = _convert(sub, widget, raw, options_for)
            except ValueError as exc:
                errors[f"{key}.{len(data)}.{name}"] = str(exc)
                row[name] = raw
        if _blank(row):
            trailing.append(raw_row)
            continue
        data.append(row)
        echo.append(raw_row)
        trailing = []
    return data, echo + trailing


def _convert(prop: Mapping[str, Any], widget: str | None, raw: str, options_for: OptionsFor | None) -> Any:
    if widget == "file":
        if prop.get("type") == "integer":
            if not raw.isdigit():
                raise ValueError(_("附件无效，请重新上传"))
            return int(raw)
        return raw
    picker = PICKER_WIDGETS.get(str(prop.get("x-widget")))
    if picker in CHECKED_BY_THE_ENGINE:
        return raw
    if picker and options_for is not None:
        if raw not in {value for value, _title in options_for(picker)}:
            raise ValueError(_("请选择列出的选项"))
        return raw
    choices = choices_of(prop)
    if choices is not None:
        by_text = {form_text(const): const for const, _title in choices}
        if raw not in by_text:
            raise ValueError(_("请选择列出的选项"))
        return by_text[raw]
    if widget == "yesno":
        if raw not in ("true", "false"):
            raise ValueError(_("请选择是或否"))
        return raw == "true"
    if widget == "integer":
        if not _INT.match(raw):
            raise ValueError(_("请输入整数"))
        return int(raw)
    if widget == "number":
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(_("请输入数字"))
        return int(raw) if _INT.match(raw) else number
    return raw


def _typed_list(prop: Mapping[str, Any], values: list[str], options_for: OptionsFor | None) -> list[Any]:
    if not values:  # nothing picked: nothing to check (and no choices to read from the database)
        return []
    picker = PICKER_WIDGETS.get(str(prop.get("x-widget")))
    if picker and options_for is not None:
        choices: list[tuple[Any, str]] | None = options_for(picker)
    else:
        choices = choices_of(prop.get("items") or {})
    values = list(dict.fromkeys(values))
    if choices is None:
        return values
    by_text = {form_text(const): const for const, _title in choices}
    if any(v not in by_text for v in values):
        raise ValueError(_("请选择列出的选项"))
    return [by_text[v] for v in values]


def _max_length(prop: Mapping[str, Any]) -> int | None:
    """The form's maxLength, else the engine's limit for text without one (engine.definitions.forms.TEXT_LIMIT)."""
    from engine.definitions.forms import TEXT_LIMIT

    if prop.get("type") != "string" or "enum" in prop or "const" in prop:
        return prop.get("maxLength")
    return prop.get("maxLength") or TEXT_LIMIT
