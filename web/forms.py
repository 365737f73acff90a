"""JSON Schema (processes/forms/*.json) → renderable fields, and a POSTed form → typed data.

Only the top-level `properties` of an object schema are rendered. A key named `typename` and properties of a type
this module does not know (objects, arrays of non-strings, …) are neither rendered nor read back.
The engine validates the typed data against the full schema; this module only converts types.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from flask_babel import gettext as _

Choice = tuple[str, str]  # (value as sent by the browser, Chinese title)
OptionsFor = Callable[[str], list[Choice]]  # 'unit' | 'member' -> choices from the database

PICKER_WIDGETS = {"unit": "unit", "units": "unit", "member": "member", "members": "member"}
RADIO_LIMIT = 5  # at most this many choices → radio buttons, otherwise a select
_INT = re.compile(r"^[+-]?\d+$")


@dataclass
class Field:
    key: str
    title: str
    widget: str  # text textarea integer number date checkbox yesno radio select checkboxes multiselect lines
    description: str = ""
    required: bool = False
    required_if: bool = False  # required only for some answers to other questions
    choices: list[Choice] = field(default_factory=list)
    value: Any = None
    error: str = ""
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None

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
    if kind == "array":
        items = prop.get("items") or {}
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
        if hint in ("unit", "member"):
            return "select"
        if hint == "textarea":
            return "textarea"
        return "date" if prop.get("format") == "date" else "text"
    return None


def build_fields(schema: Mapping[str, Any], values: Mapping[str, Any] | None = None,
                 errors: Mapping[str, str] | None = None, options_for: OptionsFor | None = None) -> list[Field]:
    values, errors = values or {}, errors or {}
    required = set(schema.get("required") or [])
    required_if = conditionally_required(schema) - required
    fields = []
    for key, prop in renderable(schema).items():
        widget = widget_for(prop)
        assert widget is not None
        fields.append(Field(
            key=key, title=str(prop.get("title") or key), widget=widget,
            description=str(prop.get("description") or ""), required=key in required,
            required_if=key in required_if,
            choices=_choices_for(prop, options_for), value=values.get(key, prop.get("default")),
            error=errors.get(key, ""), max_length=prop.get("maxLength"),
            minimum=prop.get("minimum"), maximum=prop.get("maximum")))
    return fields


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
    from engine.forms import validate

    if not parsed.errors:
        return {}
    try:
        validate(dict(schema), parsed.data)
    except FormInvalid as invalid:
        return {**invalid.errors, **parsed.errors}
    return parsed.errors


def _convert(prop: Mapping[str, Any], widget: str | None, raw: str, options_for: OptionsFor | None) -> Any:
    picker = PICKER_WIDGETS.get(str(prop.get("x-widget")))
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
