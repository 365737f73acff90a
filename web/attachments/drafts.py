"""存草稿 on a task form: keep what was typed, upload chosen files, add a row to a repeated group — then show the
task page again, which restores the draft. Works without JavaScript (the buttons post the whole form here)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.cases import form_drafts
from engine.worklist import inbox
from engine.errors import XieshangError
from engine.models import Instance
from web.attachments import bp, limit_request, store, take_upload
from web.db import get_session
from web.forms import parse_form, renderable, widget_for
from web.i18n import translated
from web.lookups import options_provider
from web.users import actor


@bp.post("/tasks/<task_id>/draft")
@login_required
def save_draft(task_id: str):
    db, me, files = get_session(), actor(), store()
    limit_request(files)
    open_task = inbox.get_task_for(db, me, task_id)
    if request.form.get("_discard"):
        form_drafts.discard(db, me, task_id)
        flash(_("草稿已丢弃"), "success")
        return redirect(url_for("inbox.task", task_id=task_id))
    schema = inbox.task_form(db, open_task)
    widgets = {key: widget_for(prop) for key, prop in renderable(schema).items()}
    values = dict(parse_form(schema, request.form, options_provider(db)).echo)
    anchor, message, problem = "", _("草稿已保存"), None
    added = request.form.get("_add_row", "")
    if widgets.get(added) == "group":
        values[added] = [*(values.get(added) or []), {}]
        anchor, message = f"f-{added}", _("已加一行（草稿已保存）")
    for key in (k for k, widget in widgets.items() if widget == "file"):
        chosen = request.files.get(f"upload:{key}")
        if chosen is None or not chosen.filename:
            continue
        anchor = f"f-{key}"
        try:
            with db.begin_nested():
                row = take_upload(files, db.get(Instance, open_task.instance_id), chosen, field_key=key,
                                  task_id=task_id)
        except XieshangError as err:
            problem = translated(err.message)
            continue
        values[key] = row.id
        message = _("已上传“%(name)s”（草稿已保存）", name=row.filename)
    form_drafts.save(db, me, task_id, values)
    if problem:
        flash(problem + _("（其他内容已保存为草稿）"), "error")
    else:
        flash(message, "success")
    return redirect(url_for("inbox.task", task_id=task_id, _anchor=anchor or None))


def restored(db, task_id: str) -> dict:
    """The current user's draft of a task form (the task page shows it instead of an empty form)."""
    draft = form_drafts.load(db, actor(), task_id)
    return dict(draft.data) if draft is not None else {}


@bp.app_template_global()
def task_draft(task_id: str):
    return form_drafts.load(get_session(), actor(), task_id)
