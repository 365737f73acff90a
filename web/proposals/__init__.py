"""提交提案 (start form of process `proposal`) and 我的提案."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import Text, or_, select

from engine import definitions, inbox, runtime
from engine.errors import Forbidden, FormInvalid
from engine.records import Proposal
from web.db import commit, get_session, rollback
from web.forms import all_errors, build_fields, parse_form
from web.lookups import options_provider
from web.users import actor

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
PROCESS = "proposal"


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    db = get_session()
    if PROCESS not in {v.process_key for v in definitions.startable_processes(db, actor())}:
        raise Forbidden(_("只有政协委员可以提交提案。"))
    schema = inbox.start_form(db, PROCESS)
    options = options_provider(db, actor().id)
    values: dict = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        parsed = parse_form(schema, request.form, options)
        values, errors = parsed.echo, all_errors(schema, parsed)
        if not errors:
            try:
                instance = runtime.start_instance(db, actor(), PROCESS, parsed.data)
            except FormInvalid as invalid:
                rollback()
                errors = invalid.errors
            else:
                instance_id = instance.id
                commit()
                flash(_("提案已提交"), "success")
                return redirect(url_for("instances.detail", instance_id=instance_id))
    fields = build_fields(schema, values, errors, options)
    return render_template("proposals/new.html", schema=schema, fields=fields,
                           form_error=errors.get("")), (422 if errors else 200)


@bp.get("")
@login_required
def index():
    me = actor()
    rows = get_session().scalars(
        select(Proposal).where(or_(Proposal.proposer_id == me.id,
                                   Proposal.cosigners.cast(Text).like(f'%"{me.username}"%')))
        .order_by(Proposal.submitted_at.desc()))
    mine = [p for p in rows if p.proposer_id == me.id or me.username in (p.cosigners or [])]
    return render_template("proposals/index.html", proposals=mine)

