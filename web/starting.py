"""One start page for every procedure: the start event's form, rendered and validated like a task form."""
from __future__ import annotations

from typing import Callable

from flask import flash, redirect, render_template, request

from engine.definitions import deploy as definitions
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.errors import Forbidden
from engine.models import Instance
from web.db import get_session, invalid_input
from web.forms import all_errors, build_fields, parse_form
from web.lookups import options_provider
from web.users import actor


def start_page(key: str, *, template: str, refused: str, done: str, next_url: Callable[[Instance], str],
               **context):
    """GET shows the form; POST starts the procedure or re-renders with the errors (422)."""
    db = get_session()
    version = definitions.latest_version(db, key)
    if not definitions.may_start(db, actor(), version):
        raise Forbidden(refused)
    schema = inbox.start_form(db, version)
    options = options_provider(db, actor().id)  # reads members only when a picker is shown or a pick is checked
    values: dict = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        parsed = parse_form(schema, request.form, options)
        values, errors = parsed.echo, all_errors(schema, parsed)
        if not errors:
            with invalid_input() as invalid:
                instance = runtime.start_instance(db, actor(), key, parsed.data)
                flash(done, "success")
                return redirect(next_url(instance))
            errors = invalid.errors
    fields = build_fields(schema, values, errors, options)
    return render_template(template, version=version, schema=schema, fields=fields, form_error=errors.get(""),
                           **context), (422 if errors else 200)
