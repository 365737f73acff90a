"""Form editor: a step's JSON Schema in the working copy, with a preview drawn by the inbox's own renderer."""
from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.definitions import working_copies as drafts, forms
from web.db import get_session
from web.db import invalid_input
from web.forms import build_fields
from web.i18n import translated
from web.lookups import options_provider
from web.users import actor

from . import bp


@bp.get("/<key>/forms")
def forms_index(key: str):
    db = get_session()
    draft = drafts.get(db, key)
    files = drafts.form_files(db, key)
    used = drafts.form_users(draft)
    return render_template("modeler/forms.html", draft=draft, files=files, used=used,
                           missing=sorted(set(used) - set(files)))


@bp.route("/<key>/forms/edit", methods=["GET", "POST"])
def form_edit(key: str):
    db = get_session()
    draft = drafts.get(db, key)
    path = (request.values.get("path") or "").strip()
    files = drafts.form_files(db, key)
    if request.method == "GET":
        schema = files.get(path) or _starter(path)
        text = json.dumps(schema, ensure_ascii=False, indent=2)
        return _page(db, draft, path, text, schema, None, path not in files)
    text = request.form.get("schema", "")
    schema, error = _parse(text)
    if error is None:
        with invalid_input() as invalid:
            drafts.save_form(db, key, path, schema, actor())
            flash(_("表单已保存到工作稿；发布流程后生效。"), "success")
            return redirect(url_for("modeler.form_edit", key=key, path=path))
        error = "；".join(invalid.errors.values())
    return _page(db, draft, path, text, schema if error is None else None, error, path not in files), 422


@bp.post("/<key>/forms/preview")
def form_preview(key: str):
    """The preview alone (the editor page asks for it as one types)."""
    db = get_session()
    drafts.get(db, key)
    schema, error = _parse(request.form.get("schema", ""))
    return render_template("modeler/_preview.html", fields=_fields(db, schema) if error is None else [],
                           schema=schema or {}, error=error), (200 if error is None else 422)


def _page(db, draft, path: str, text: str, schema, error, new: bool):
    """The error is said once, above the save button; the preview then shows the form as last saved."""
    shown = schema if schema and error is None else (drafts.form_files(db, draft.key).get(path) or {})
    return render_template("modeler/form_edit.html", draft=draft, path=path, text=text, save_error=error, new=new,
                           error=None, schema=shown, fields=_fields(db, shown) if shown else [],
                           known=_known_fields(db, draft.key, path), kinds=KINDS)


def _known_fields(db, key: str, path: str) -> list[dict]:
    """The fields of the procedure's other forms: what a form may show read-only from earlier steps."""
    seen, found = set(), []
    for other, schema in drafts.form_files(db, key).items():
        if other == path or not isinstance(schema, dict):
            continue
        for name, prop in (schema.get("properties") or {}).items():
            if name not in seen and isinstance(prop, dict):
                seen.add(name)
                found.append({"key": name, "title": str(prop.get("title") or name)})
    return found


KINDS = [("text", _l("文本")), ("textarea", _l("长文本")), ("number", _l("数字")), ("date", _l("日期")),
         ("choice", _l("单选")), ("choices", _l("多选")), ("unit", _l("单位")), ("member", _l("委员")),
         ("file", _l("附件")), ("group", _l("重复的一组"))]


_JSON_REASONS = [  # json's messages by what went wrong, in Chinese
    ("Expecting ',' delimiter", _l("缺少逗号")),
    ("Expecting ':' delimiter", _l("字段名后缺少冒号")),
    ("Expecting property name enclosed in double quotes", _l("字段名须用英文双引号括起来（最后一项后面不能有逗号）")),
    ("Unterminated string", _l("字符串缺少结束的双引号")),
    ("Invalid control character", _l("字符串中不能直接换行")),
    ("Extra data", _l("结尾多出了内容")),
    ("Expecting value", _l("这里缺少一个值（或用了单引号、中文引号）")),
]


def _parse(text: str):
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as err:
        reason = next((why for needle, why in _JSON_REASONS if err.msg.startswith(needle)), _l("写法不对"))
        return None, _("表单定义（JSON）第 %(line)d 行第 %(column)d 列：%(reason)s。", line=err.lineno,
                       column=err.colno, reason=reason)
    problems = forms.schema_problems(schema)
    if problems:
        return schema, _("；").join(map(translated, problems))
    return schema, None


def _fields(db, schema):
    return build_fields(schema, {}, {}, options_provider(db)) if schema else []


def _starter(path: str) -> dict:
    return {"type": "object", "title": _("办理意见"), "properties": {
        "opinion": {"type": "string", "title": _("意见"), "x-widget": "textarea"}}, "required": ["opinion"]}
