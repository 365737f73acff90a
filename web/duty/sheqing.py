"""报送社情民意 (start form of process `sheqing`), 我的社情民意 with the feedback, and the office's list."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine import definitions, inbox, runtime
from engine.errors import Forbidden, FormInvalid
from engine.records.supervision import SheqingItem
from web.db import commit, get_session, rollback
from web.forms import all_errors, build_fields, parse_form
from web.lookups import name_lookup, options_provider
from web.users import actor

bp = Blueprint("sheqing", __name__, url_prefix="/sheqing")
PROCESS = "sheqing"


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    db = get_session()
    if PROCESS not in {v.process_key for v in definitions.startable_processes(db, actor())}:
        raise Forbidden(_("只有政协委员可以报送社情民意。"))
    schema = inbox.start_form(db, PROCESS)
    options = options_provider(db, actor().id)
    values: dict = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        parsed = parse_form(schema, request.form, options)
        values, errors = parsed.echo, all_errors(schema, parsed)
        if not errors:
            try:
                runtime.start_instance(db, actor(), PROCESS, parsed.data)
            except FormInvalid as invalid:
                rollback()
                errors = invalid.errors
            else:
                commit()
                flash(_("社情民意已报送"), "success")
                return redirect(url_for("sheqing.index"))
    fields = build_fields(schema, values, errors, options)
    return render_template("duty/sheqing_new.html", schema=schema, fields=fields,
                           form_error=errors.get("")), (422 if errors else 200)


@bp.get("")
@login_required
def index():
    db = get_session()
    mine = db.scalars(select(SheqingItem).where(SheqingItem.submitter_id == actor().id)
                      .order_by(SheqingItem.submitted_at.desc())).all()
    return render_template("duty/sheqing_list.html", items=mine, mine=True, unit_name=_unit_name(db))


@bp.get("/all")
@login_required
def all_items():
    if not actor().has_role("office"):
        raise Forbidden(_("只有政协办公室可以查看全部社情民意。"))
    db = get_session()
    items = db.scalars(select(SheqingItem).order_by(SheqingItem.submitted_at.desc())).all()
    return render_template("duty/sheqing_list.html", items=items, mine=False, unit_name=_unit_name(db))


def _unit_name(db):
    name_of = name_lookup(db)
    return lambda code: name_of("unit", code)
