"""会议届次 on the roster: the office opens a session (第几届第几次会议, its plenary days, the number format); the
proposals submitted from its first day on are numbered in its run and counted as its own."""
from __future__ import annotations

from flask import render_template, request, url_for
from sqlalchemy import func, select

from engine.people import sessions
from engine.procedures.proposal.records import Proposal
from web.db import get_session
from web.roster import _save, bp

FIELDS = ("term", "meeting", "starts_on", "ends_on", "number_format")


@bp.route("/sessions", methods=["GET", "POST"])
def sessions_():
    db = get_session()
    errors: dict[str, str] = {}
    values = {"number_format": sessions.DEFAULT_FORMAT}
    if request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key in FIELDS}
        done, errors = _save(lambda: sessions.open_session(db, **values), url_for("roster.sessions_"))
        if done:
            return done
    counts = dict(db.execute(select(Proposal.session_id, func.count()).where(Proposal.session_id.is_not(None))
                             .group_by(Proposal.session_id)).tuples().all())
    return render_template("roster/sessions.html", rows=sessions.every(db), counts=counts, values=values,
                           errors=errors), (422 if errors else 200)
