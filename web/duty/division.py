"""任务分工督查: the 分工方案's items with where each stands; supervisors start an item as an instance."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.procedures.supervision import division
from engine.people import permissions
from web.db import get_session
from web.db import invalid_input
from web.duty import bp
from web.lookups import name_lookup, options_provider
from web.users import actor



@bp.route("/division", methods=["GET", "POST"])
@login_required
def division_board():
    me = actor()
    permissions.require(me, "division.read", _("任务分工督查由县委办、政府办、政协办和督查人员查看。"))
    db = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        permissions.require(me, "division.assign", _("只有督查人员可以下达分工任务。"))
        number = request.form.get("item_no", "")
        with invalid_input() as invalid:
            instance = division.start_item(db, me, number, extra_units=request.form.getlist("extra_units"),
                                           deadline=request.form.get("deadline") or None)
            flash(_("已下达任务 %(no)s", no=number), "success")
            return redirect(url_for("instances.detail", instance_id=instance.id))
        errors = {number: "；".join(invalid.errors.values())}
    name_of = name_lookup(db)
    return render_template("duty/division.html", board=division.board(db), errors=errors,
                           units=options_provider(db)("unit"), unit_name=lambda code: name_of("unit", code),
                           can_start=permissions.can(me, "division.assign"), member_units=division.MEMBER_UNITS), (422 if errors else 200)
