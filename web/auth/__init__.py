"""Login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from web.db import get_session
from engine.people.accounts import end_sessions
from web.users import STAMP, WebUser, actor, logged_in

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return url_for("inbox.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    from engine.models import User

    next_url = request.values.get("next")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next(next_url))
    error = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = get_session().scalar(select(User).where(User.username == username))
        if user and user.active and user.password_hash and check_password_hash(user.password_hash,
                                                                               request.form.get("password", "")):
            login_user(WebUser(user))
            logged_in(user)
            return redirect(safe_next(next_url))
        error = _("用户名或密码错误")
    return login_page(error, status=401 if error else 200)


def login_page(error: str = "", status: int = 200):
    """The login form again, with what was typed as the username (never the password) and where to go next."""
    from web.security import CONTROL

    return render_template("auth/login.html", error=error, username=CONTROL.sub("", request.form.get("username", "")),
                           next_url=CONTROL.sub("", request.values.get("next") or "")), status


@bp.post("/logout")
@login_required
def logout():
    end_sessions(actor())  # a copy of this cookie, and every other session of this person, ends too
    logout_user()
    session.pop(STAMP, None)
    flash(_("您已退出登录"), "info")
    return redirect(url_for("auth.login"))
