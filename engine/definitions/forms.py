"""Task forms: JSON Schema files pinned with a deployed version; server-side validation of submitted data."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import re2
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable

from engine.errors import FormInvalid
from engine.i18n import N_

FORBIDDEN_KEYS = {"typename"}  # a data key named `typename` makes SpiffWorkflow's saved state unloadable


def load_files(paths: set[str], base_dir: Path) -> dict[str, dict | None]:
    """Read the named schema files; a missing or unreadable file maps to None (the lint reports it)."""
    found: dict[str, dict | None] = {}
    for rel in sorted(paths):
        target = (base_dir / rel).resolve()
        try:
            target.relative_to(base_dir.resolve())
            found[rel] = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found[rel] = None
    return found


TYPES = N_("string（文本）、number（数字）、integer（整数）、boolean（是否）、array（多项）、object（一组字段）")
BUILDER_TEXT_LIMIT, BUILDER_LONG_TEXT_LIMIT = 200, 5000  # default maxLength of a text and a long-text field


def _schema_reason(err):
    """jsonschema's complaint about a schema, by the kind of rule it broke (never its English text)."""
    keyword = err.path[-1] if err.path else ""
    value = err.instance
    if keyword == "type" or err.validator in ("anyOf",) and keyword == "type":
        return N_("类型“%(value)s”不存在，可用的类型有 %(types)s", value=value, types=TYPES)
    if keyword in ("properties", "items") or err.validator == "type" and err.validator_value in ("object", ["object", "boolean"]):
        return N_("%(keyword)s 须是一个 JSON 对象（{…}）", keyword=keyword or "字段")
    if keyword == "required":
        return N_("必填字段须写成字段名的列表，如 [\"title\"]，且不能重复")
    if keyword in ("enum", "oneOf", "anyOf") and value == []:
        return N_("至少要有一个选项")
    if keyword in ("enum", "oneOf", "anyOf", "allOf"):
        return N_("选项须写成列表（[…]），且不能重复")
    if keyword in ("maxLength", "minLength", "minItems", "maxItems"):
        return N_("%(keyword)s 须是不小于 0 的整数", keyword=keyword)
    if keyword in ("minimum", "maximum"):
        return N_("%(keyword)s 须是数字", keyword=keyword)
    if keyword in ("title", "description", "format"):
        return N_("%(keyword)s 须是文字", keyword=keyword)
    return N_("“%(keyword)s”的写法不符合 JSON Schema 的规定", keyword=keyword or err.validator)


def _field_of(path) -> str | None:
    """The field a schema path is about: the key after the last `properties`."""
    parts = list(path)
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "properties":
            return str(parts[index + 1])
    return None


def schema_problems(schema) -> list[str]:
    """Why a form schema cannot be used, in Chinese, once each, naming the field (empty when it is fine)."""
    if not isinstance(schema, dict):
        return [N_("表单文件不是一个 JSON 对象")]
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    found, seen = [], set()
    for err in sorted(meta.iter_errors(schema), key=lambda e: list(map(str, e.path))):
        deepest = err
        while deepest.context:  # anyOf/oneOf: the branch that got furthest says what is wrong
            deepest = max(deepest.context, key=lambda e: len(list(e.path)))
        path = list(err.path) + list(deepest.path)[len(list(err.path)):] if deepest is not err else list(err.path)
        field = _field_of(path)
        title = ((schema.get("properties") or {}).get(field) or {}).get("title") if field else None
        where = f"{title}（{field}）" if title and title != field else field
        key = (where, tuple(path[-1:]))
        if key in seen:
            continue
        seen.add(key)
        err.path.clear()
        err.path.extend(path)
        reason = _schema_reason(err)
        found.append(N_("字段“%(field)s”：%(reason)s", field=where, reason=reason) if where
                     else N_("表单：%(reason)s", reason=reason))
    if found:
        return found
    if schema.get("type") != "object":
        return [N_("表单的顶层 type 必须是 object")]
    problems = _reference_problems(schema) + _pattern_problems(schema)
    for key in _field_names(schema):
        if key in FORBIDDEN_KEYS or key.startswith("_"):
            problems.append(N_("表单字段名 %(key)s 不允许使用", key=key))
        elif not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", key):
            problems.append(N_("字段名“%(key)s”只能含英文字母、数字和下划线，并以字母开头（表达式用它来取值）", key=key))
    for key, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict) and not str(prop.get("title") or "").strip():
            problems.append(N_("字段“%(key)s”没有标签：请填写填表人看到的名称", key=key))
    return problems


def _walk(node):
    """Every (key, value) pair of every object inside a schema, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


# A form is one self-contained file: `$ref` may point inside it ("#/$defs/…"), never at a URL or another file — the
# server would fetch it (http://, file://) on every submission. Validation uses a registry holding only the form.
_REFERENCE_KEYS = ("$ref", "$dynamicRef")


def _reference_problems(schema: dict) -> list[str]:
    return [N_("表单不能引用外部定义（%(key)s: %(ref)s）：只能引用本表单内的定义，如 \"#/$defs/名称\"", key=key, ref=value)
            for key, value in _walk(schema)
            if key in _REFERENCE_KEYS and isinstance(value, str) and not value.startswith("#")]


# `pattern` is matched by RE2, in time linear in the input (Python's re backtracks: "^(a+)+$" against a long input
# takes longer than the universe). A pattern RE2 cannot run (back-references, look-around) is refused on saving;
# `patternProperties` is refused outright (a form names its fields).
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


@lru_cache(maxsize=1024)
def _regex(pattern: str):
    return re2.compile(pattern, _RE2_OPTIONS)


def _pattern_problems(schema: dict) -> list[str]:
    problems = []
    for key, value in _walk(schema):
        if key == "patternProperties" and isinstance(value, dict):
            problems.append(N_("表单不支持 patternProperties：请逐个列出字段"))
        elif key == "pattern" and isinstance(value, str):
            try:
                _regex(value)
            except re2.error:
                problems.append(N_("格式规则 %(pattern)s 无法使用（不支持反向引用、环视等写法）", pattern=value))
    return problems


def _matches(pattern: str, text: str) -> bool:
    try:
        return _regex(pattern).search(text) is not None
    except re2.error:
        return False  # a stored pattern RE2 cannot run: nothing matches it, rather than backtracking


def _linear_pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _linear_pattern_properties(validator, patterns, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _matches(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _linear_additional_properties(validator, additional, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [key for key in instance if key not in known
              and not any(_matches(pattern, key) for pattern in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        yield ValidationError(f"Additional properties are not allowed ({', '.join(map(repr, sorted(extras)))})")


FormValidator = validators.extend(Draft202012Validator, {
    "pattern": _linear_pattern, "patternProperties": _linear_pattern_properties,
    "additionalProperties": _linear_additional_properties,
})
_NOTHING_TO_FETCH = Registry()  # no `retrieve`: a reference outside the form is unresolvable, never fetched


def with_default_limits(schema: dict) -> dict:
    """Text fields without a maxLength get the default one (a long text a larger one), inside groups too."""
    def limit(prop):
        if not isinstance(prop, dict):
            return
        if prop.get("type") == "string" and "maxLength" not in prop and not prop.get("format") \
                and prop.get("x-widget") not in ("unit", "member", "file") and not choices(prop):
            prop["maxLength"] = BUILDER_LONG_TEXT_LIMIT if prop.get("x-widget") == "textarea" else BUILDER_TEXT_LIMIT
        if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            for cell in (prop["items"].get("properties") or {}).values():
                limit(cell)
    for prop in (schema.get("properties") or {}).values():
        limit(prop)
    return schema


def choices(prop: dict) -> bool:
    return any(isinstance(prop.get(k), list) for k in ("enum", "oneOf", "anyOf")) or "const" in prop


def _field_names(schema: dict) -> list[str]:
    names = list((schema.get("properties") or {}).keys())
    branches = list(schema.get("allOf") or []) + [schema.get("then"), schema.get("else")]
    for branch in branches:
        if isinstance(branch, dict) and branch:
            names.extend(_field_names(branch))
    return names


_MESSAGES = {
    "required": N_("此项必填"),
    "enum": N_("请从给定选项中选择"),
    "const": N_("请从给定选项中选择"),
    "oneOf": N_("请从给定选项中选择"),
    "maxLength": N_("内容过长（最多 %(limit)s 字）"),
    "minLength": N_("内容过短（至少 %(limit)s 字）"),
    "type": N_("格式不正确"),
    "format": N_("格式不正确"),
    "minimum": N_("不能小于 %(limit)s"),
    "maximum": N_("不能大于 %(limit)s"),
    "minItems": N_("至少选择 %(limit)s 项"),
    "maxItems": N_("最多选择 %(limit)s 项"),
    "uniqueItems": N_("不能重复选择"),
}


def validate(schema: dict | None, data: dict) -> dict:
    """Return the submitted data restricted to the form's fields, or raise FormInvalid with per-field messages."""
    if not schema:
        return {}
    allowed = set(_field_names(schema))
    clean = {key: value for key, value in (data or {}).items() if key in allowed and key not in FORBIDDEN_KEYS}
    props = _field_schemas(schema)
    for key, value in list(clean.items()):
        if value == "" or value is None:  # an empty input means "not given", so `required` can say so
            del clean[key]
        elif _is_group(props.get(key)) and isinstance(value, list):
            clean[key] = _clean_rows(value)
    errors: dict[str, str] = {}
    validator = FormValidator(with_text_limits(schema), registry=_NOTHING_TO_FETCH,
                              format_checker=FormValidator.FORMAT_CHECKER)
    try:
        found = sorted(validator.iter_errors(clean), key=lambda e: list(e.path))
    except Unresolvable:
        raise FormInvalid({}, N_("此表单引用了表单以外的定义，无法校验：请流程管理员修改表单后再提交。")) from None
    for err in found:
        if err.validator == "required":
            given = err.instance if isinstance(err.instance, dict) else clean
            for name in err.validator_value:
                if name not in given:
                    errors.setdefault(_error_key([*err.path, name]), _MESSAGES["required"])
            continue
        field = _error_key(err.path)
        if err.validator in ("if", "allOf", "then") and not field:
            continue
        limit = err.validator_value if not isinstance(err.validator_value, (dict, list)) else ""
        message = _MESSAGES.get(err.validator, N_("内容不符合要求"))
        if err.validator in ("minItems", "maxItems") and _is_group(err.schema):
            message = _ROW_MESSAGES[err.validator]
        errors.setdefault(field, N_(message.msgid, limit=limit) if "%(limit)s" in message.msgid else message)
    if errors:
        raise FormInvalid(errors)
    # Every field is in the data afterwards, so diagram expressions never meet an undefined name.
    for name, prop in props.items():
        if name not in clean:
            clean[name] = prop.get("default", [] if prop.get("type") == "array" else None)
        elif _is_group(prop):
            clean[name] = [_filled(prop["items"], row) for row in clean[name]]
    return clean


# Repeated groups: an array of objects, one row per item (e.g. 参会人员: 姓名, 单位, 电话).
_ROW_MESSAGES = {"minItems": N_("至少填写 %(limit)s 行"), "maxItems": N_("最多填写 %(limit)s 行")}


def _is_group(prop) -> bool:
    return isinstance(prop, dict) and prop.get("type") == "array" and isinstance(prop.get("items"), dict) \
        and prop["items"].get("type") == "object"


def _clean_rows(rows: list) -> list:
    """Empty cells are "not given"; a row with nothing in it was left blank and is dropped."""
    cleaned = []
    for row in rows:
        if isinstance(row, dict):
            row = {k: v for k, v in row.items() if v not in ("", None) and k not in FORBIDDEN_KEYS}
            if not row:
                continue
        cleaned.append(row)
    return cleaned


def _filled(item_schema: dict, row):
    if not isinstance(row, dict):
        return row
    allowed = _field_schemas(item_schema)
    filled = {k: v for k, v in row.items() if k in allowed}
    for name, prop in allowed.items():
        filled.setdefault(name, prop.get("default", [] if prop.get("type") == "array" else None))
    return filled


def _error_key(path) -> str:
    """A top-level field's key, or `group.row.cell` for a cell of a repeated group (e.g. `people.0.name`)."""
    parts = [str(p) for p in path]
    if len(parts) >= 3 and parts[1].isdigit():
        return ".".join(parts[:3])
    return parts[0] if parts else ""


def _field_schemas(schema: dict) -> dict[str, dict]:
    return {name: prop for name, prop in (schema.get("properties") or {}).items()
            if isinstance(prop, dict) and name not in FORBIDDEN_KEYS}


# ---------------------------------------------------------------- text without a declared length

TEXT_LIMIT = 20000  # characters of a text field whose form declares no maxLength (the form builder sets one)
_limited: dict[int, tuple[dict, dict]] = {}


def with_text_limits(schema: dict) -> dict:
    """The schema with `maxLength: TEXT_LIMIT` on every string without a length or a fixed set of values, so that no
    form takes a megabyte into the workflow state (rewritten at every step). Kept per schema object."""
    kept = _limited.get(id(schema))
    if kept is not None and kept[0] is schema:
        return kept[1]
    if len(_limited) > 512:
        _limited.clear()
    limited = _limit(schema)
    _limited[id(schema)] = (schema, limited)
    return limited


def _limit(node):
    if isinstance(node, list):
        return [_limit(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: (value if key in ("enum", "const", "default", "examples") else _limit(value))
            for key, value in node.items()}
    kind = node.get("type")
    is_text = kind == "string" or (isinstance(kind, list) and "string" in kind)
    if is_text and not {"maxLength", "enum", "const"} & node.keys():
        copy["maxLength"] = TEXT_LIMIT
    return copy
