"""通知: the notification centre (new work, returned work, reminders, handovers), unread count, mail settings."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.worklist import mailer, notifications
from web.db import get_session
from web.db import invalid_input
from web.i18n import N_
from web.users import actor

bp = Blueprint("notifications", __name__)
PER_PAGE = 30
KINDS = {
    "task": N_("新待办"), "returned": N_("退回待重办"), "due_soon": N_("即将到期"), "overdue": N_("已逾期"),
    "reassign": N_("转办给您"), "delegate": N_("委托您办理"), "handback": N_("委托事项已交还"),
    "delegate_done": N_("委托事项已办结"),
}


@bp.record_once
def _setup(state) -> None:
    app = state.app
    app.context_processor(_unread)
    app.add_template_filter(lambda kind: _(KINDS.get(kind, kind)), "notification_kind")


def _unread() -> dict[str, Any]:
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(get_session(), actor())

    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
@login_required
def index():
    page = request.args.get("page", "1")
    page = max(1, min(int(page), 10_000)) if page.isdigit() else 1
    unread_only = request.args.get("unread") == "1"
    rows, total = notifications.list_for(get_session(), actor(), page=page, per_page=PER_PAGE, unread_only=unread_only)
    return render_template("notifications/index.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), unread_only=unread_only)


@bp.post("/notifications/read")
@login_required
def mark_read():
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit()]
    count = notifications.mark_read(get_session(), actor(), ids if request.form.get("all") != "1" else None)
    if request.form.get("open"):  # "open" a notification: mark it read and go to its task
        return redirect(_target(request.form["open"]))
    flash(_("已将 %(n)s 条通知标为已读。", n=count), "success")
    return redirect(url_for("notifications.index"))


def _target(value: str) -> str:
    kind, _sep, ident = value.partition(":")
    if kind == "task" and ident:
        return url_for("inbox.task", task_id=ident)
    if kind == "instance" and ident.isdigit():
        return url_for("instances.detail", instance_id=int(ident))
    return url_for("notifications.index")


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    db = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        with invalid_input() as invalid:
            notifications.save_setting(db, actor(), request.form.get("email", ""), request.form.get("email_enabled") == "1")
            flash(_("通知设置已保存。"), "success")
            return redirect(url_for("notifications.settings"))
        errors = invalid.errors
    setting = notifications.setting_for(db, actor())
    values = request.form if errors else {"email": setting.email, "email_enabled": "1" if setting.email_enabled else ""}
    return render_template("notifications/settings.html", values=values, errors=errors,
                           mail_ready=mailer.settings_for(db) is not None), (422 if errors else 200)
