"""我的待办: the worklist (OpenTask projection only: views, filters, saved views), the task form, work actions."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.calendar import holidays
from engine.worklist import inbox, saved_views as savedviews, pages as worklist
from engine.runtime import verbs as runtime
from engine.errors import Conflict, NotFound
from engine.models import Event, Instance
from web.attachments.drafts import restored
from web.db import get_session, invalid_input, reads_first, settings
from web.display import items, properties_of
from web.forms import OptionsFor, all_errors, build_fields, parse_form, prefill, renderable
from web.lookups import name_lookup, options_provider, version_forms
from web.users import actor
from web.views import format_datetime

bp = Blueprint("inbox", __name__)


@bp.get("/")
def home():
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
@login_required
def index():
    db, user = get_session(), actor()
    saved = None
    if request.args.get("saved", "").isdigit():
        saved = savedviews.get_for(db, user, int(request.args["saved"]))
        filters = savedviews.filters_of(saved)
        filters.page = worklist.Filters.parse(request.args).page
    else:
        filters = worklist.Filters.parse(request.args)
    page = worklist.list_for(db, user, filters, soon_days=soon_days())
    return render_template("inbox/index.html", page=page, f=filters, saved=saved, soon_days=soon_days(),
                           views=savedviews.views_for(db, user), processes=worklist.processes(db),
                           units=options_provider(db)("unit"), supervises=worklist.may_supervise(user),
                           holidays_missing=holidays.missing_next_year() if holidays.may_manage(user) else None)


def soon_days() -> int:
    return settings().due_soon_days


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@reads_first  # runtime.complete_task takes the write lock once it has read and run the workflow
@login_required
def task(task_id: str):
    db = get_session()
    open_task, version, instance = _open_task(db, task_id, with_instance=request.method == "POST")
    schema = inbox.task_form(db, open_task, version)
    options = options_provider(db)  # reads units or members only when a picker asks
    if request.method == "GET":  # a draft wins over the case's data, which wins over an empty form
        values = restored(db, task_id) or _prefilled(db, open_task, version, schema)
        return _render(db, open_task, schema, options, values, {})
    parsed = parse_form(schema, request.form, options)
    errors = all_errors(schema, parsed)
    if not errors:
        with invalid_input() as invalid:
            runtime.complete_task(db, actor(), task_id, parsed.data, opened=(open_task, instance))
            flash(_("已提交"), "success")
            return redirect(url_for("inbox.index"))
        errors = invalid.errors
    return _render(db, open_task, schema, options, parsed.echo, errors), 422


def _prefilled(db: Session, open_task: Any, version: Any, schema: dict) -> dict:
    if not renderable(schema) or schema.get("x-prefill") is False:
        return {}
    return prefill(schema, runtime.task_data(db, open_task.instance_id, version.id, open_task.id))


def _open_task(db: Session, task_id: str, *, with_instance: bool) -> tuple[Any, Any, Any]:
    """The open task the actor may work on, its instance's (cached) process version, and the instance with its
    state when the task is about to be completed (else None)."""
    try:
        if with_instance:
            return inbox.open_task_to_complete(db, actor(), task_id)
        return (*inbox.open_task_for(db, actor(), task_id), None)
    except NotFound:
        done = db.scalar(select(Event).where(Event.task_id == task_id, Event.kind == "complete").limit(1))
        if done is not None:  # a stale link or a second submission: say who did it instead of "not found"
            raise Conflict(_("该任务已由%(name)s于 %(at)s 办理，无需再办。",
                             name=done.actor.name if done.actor else _("他人"), at=format_datetime(done.at))) from None
        raise


def _render(db: Session, open_task: Any, schema: dict, options: OptionsFor, values: dict,
            errors: dict[str, str]) -> str:
    fields = build_fields(schema, values, errors, options)
    return render_template("inbox/task.html", task=open_task, schema=schema, fields=fields,
                           form_error=errors.get(""), readonly=_readonly(db, open_task, schema),
                           work=work_state(db, open_task))


def _readonly(db: Session, open_task: Any, schema: dict) -> list:
    keys = schema.get("x-readonly-from") or []
    if not keys:
        return []
    instance = db.get(Instance, open_task.instance_id)
    data = runtime.instance_data(db, instance)
    due_key = inbox.due_date_key(db, open_task, instance)
    if due_key in data and open_task.due_at is not None:  # the task's deadline as it stands (e.g. after 同意延期)
        data[due_key] = open_task.due_at.astimezone(clock.TZ).isoformat()
    return items(data, properties_of(version_forms(db, instance.version_id)), keys, name_lookup(db))


from web.inbox.work import work_state  # noqa: E402 - registers the work-action and saved-view routes
from web.inbox import saved  # noqa: E402,F401
