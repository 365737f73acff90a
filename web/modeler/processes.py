"""发起事项: the procedures a user may start, and a generic start page built from the start event's form."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import definitions, inbox, runtime
from engine.errors import Forbidden, FormInvalid
from web.db import commit, get_session, rollback
from web.forms import all_errors, build_fields, parse_form
from web.lookups import options_provider
from web.users import actor

from . import processes_bp as bp


@bp.get("")
@login_required
def index():
    return render_template("modeler/processes.html", versions=definitions.startable_processes(get_session(), actor()))


@bp.route("/<key>/start", methods=["GET", "POST"])
@login_required
def start(key: str):
    db = get_session()
    version = definitions.latest_version(db, key)
    if key not in {v.process_key for v in definitions.startable_processes(db, actor())}:
        raise Forbidden(_("您没有发起“%(name)s”的权限。", name=version.name))
    schema = inbox.start_form(db, key)
    options = options_provider(db, actor().id)
    values: dict = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        parsed = parse_form(schema, request.form, options)
        values, errors = parsed.echo, all_errors(schema, parsed)
        if not errors:
            try:
                instance = runtime.start_instance(db, actor(), key, parsed.data)
            except FormInvalid as invalid:
                rollback()
                errors = invalid.errors
            else:
                instance_id = instance.id
                commit()
                flash(_("已发起"), "success")
                return redirect(url_for("instances.detail", instance_id=instance_id))
    fields = build_fields(schema, values, errors, options)
    return render_template("modeler/start.html", version=version, schema=schema, fields=fields,
                           form_error=errors.get("")), (422 if errors else 200)
