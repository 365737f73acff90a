"""修改密码 for everyone logged in; someone whose password an administrator gave or reset is sent here first."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine.people import accounts
from web.db import get_session
from web.db import invalid_input
from web.users import actor

bp = Blueprint("password", __name__)
# What someone who must change their password may still open: this page, logging out, and the stylesheet.
OPEN_ENDPOINTS = {"password.change", "auth.logout", "auth.login", "static"}


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change():
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        with invalid_input() as invalid:
            accounts.change_own_password(get_session(), actor(), form.get("current", ""), form.get("new", ""),
                                         form.get("again", ""))
            flash(_("密码已修改，请记住新密码。"), "success")
            return redirect(url_for("inbox.index"))
        errors = invalid.errors
    return render_template("accounts/password.html", errors=errors,
                           forced=current_user.must_change_password), (422 if errors else 200)


@bp.before_app_request
def _change_given_password_first():
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("password.change"))
    return None
