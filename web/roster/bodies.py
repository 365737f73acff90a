"""集体提案单位 on the roster: the bodies that may submit a collective proposal, and each one's contact person."""
from __future__ import annotations

from flask import render_template, request, url_for

from engine.people import bodies, rosters
from web.db import get_session
from web.roster import _save, bp


@bp.route("/bodies", methods=["GET", "POST"])
def bodies_():
    db = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        done, errors = _save(lambda: bodies.set_contact(db, request.form.get("body", ""), request.form.get("contact", "")),
                             url_for("roster.bodies_"))
        if done:
            return done
    members = [(m.user.username, m.name) for m in rosters.members(db, include_inactive=False)]
    return render_template("roster/bodies.html", rows=bodies.bodies(db), kinds=rosters.UNIT_KINDS, members=members,
                           errors=errors), (422 if errors else 200)
