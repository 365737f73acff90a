"""Form editor: a step's JSON Schema in the working copy, with a preview drawn by the inbox's own renderer."""
from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

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
    return render_template("modeler/form_edit.html", draft=draft, path=path, text=text, error=error, new=new,
                           schema=schema or {}, fields=_fields(db, schema) if schema and error is None else [])


def _parse(text: str):
    try:
        schema = json.loads(text)
    except ValueError as err:
        return None, _("不是有效的 JSON：%(msg)s", msg=str(err))
    problems = forms.schema_problems(schema)
    if problems:
        return schema, _("；").join(map(translated, problems))
    return schema, None


def _fields(db, schema):
    return build_fields(schema, {}, {}, options_provider(db)) if schema else []


def _starter(path: str) -> dict:
    return {"type": "object", "title": _("办理意见"), "properties": {
        "opinion": {"type": "string", "title": _("意见"), "x-widget": "textarea"}}, "required": ["opinion"]}
