"""Work actions on inbox rows: claim, release, hand back, reassign / delegate, and bulk claim / 交办."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.worklist import claims
from engine.errors import FormInvalid
from engine.models import OpenTask, User
from web.auth import safe_next
from web.db import get_session
from web.inbox import bp
from web.users import actor


def _back() -> Any:
    return redirect(safe_next(request.form.get("next")))


def work_state(db: Session, row: OpenTask) -> dict[str, Any]:
    """Who holds the task, for the task page's work panel."""
    holder = db.get(User, row.claimed_by_id) if row.claimed_by_id else None
    delegator = db.get(User, row.delegated_by_id) if row.delegated_by_id else None
    me = actor()
    return {"holder": holder, "delegator": delegator, "mine": holder is not None and holder.id == me.id,
            "personal": bool(row.candidate_user), "can_hand_over": not row.candidate_user and me.unit_id is not None}


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    claims.claim(get_session(), actor(), task_id)
    flash(_("已认领，其他人将不能办理此事项，直到您释放或转交。"), "success")
    return _back()


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str):
    claims.release(get_session(), actor(), task_id)
    flash(_("已释放，本单位有权办理的同事都可以认领。"), "success")
    return _back()


@bp.post("/tasks/<task_id>/return")
@login_required
def hand_back(task_id: str):
    claims.hand_back(get_session(), actor(), task_id)
    flash(_("已交还委托人。"), "success")
    return _back()


@bp.route("/tasks/<task_id>/handover", methods=["GET", "POST"])
@login_required
def handover(task_id: str):
    """转办 (hand over for good) or 委托 (on my behalf, comes back to me) to a colleague of my unit."""
    db = get_session()
    row, colleagues = claims.for_handover(db, actor(), task_id)
    if request.method == "POST":
        how, to = request.form.get("how"), request.form.get("to", "")
        if how not in ("reassign", "delegate") or not to:
            raise FormInvalid({"to": _("请选择同事和转交方式")}, _("请选择同事和转交方式。"))
        (claims.reassign if how == "reassign" else claims.delegate)(db, actor(), task_id, to)
        flash(_("已转办给同事。") if how == "reassign" else _("已委托同事办理，对方办完或交还后会通知您。"), "success")
        return redirect(url_for("inbox.index"))
    return render_template("inbox/handover.html", task=row, colleagues=colleagues, work=work_state(db, row))


@bp.post("/inbox/bulk")
@login_required
def bulk():
    db, ids = get_session(), request.form.getlist("task")
    if request.form.get("action") == "assign":
        count = claims.bulk_assign(db, actor(), ids, request.form.get("unit", ""), request.form.get("note", ""))
        flash(_("已交办 %(n)s 件提案。", n=count), "success")
    else:
        count = claims.bulk_claim(db, actor(), ids)
        flash(_("已认领 %(n)s 项。", n=count), "success")
    return _back()
