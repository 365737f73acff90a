"""Login and logout."""
from __future__ import annotations

import logging
import secrets
from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from engine.people import throttle
from web.db import get_session, keep_writes
from engine.people.accounts import end_sessions
from web.users import STAMP, WebUser, actor, logged_in

bp = Blueprint("auth", __name__)
log = logging.getLogger("xieshang.security")


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
    if request.method == "GET":
        return login_page()
    db = get_session()
    username, password = request.form.get("username", "").strip(), request.form.get("password", "")
    address = request.remote_addr or "-"
    wait = throttle.wait_for(db, username, address)
    if wait is not None:  # refused before the password is looked at
        log.warning("login throttled user=%s address=%s by %s for %s min", username, address, wait.by, wait.minutes)
        page, status = login_page(_("登录失败次数过多，请 %(minutes)s 分钟后再试。", minutes=wait.minutes), status=429)
        return page, status, {"Retry-After": str(wait.minutes * 60)}
    user = db.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    # The hash is checked whoever asks, so an unknown username takes as long to refuse as a wrong password.
    if check_password_hash(stored, password) and user is not None and user.active and user.password_hash:
        throttle.succeeded(db, username)
        login_user(WebUser(user))
        logged_in(user)
        return redirect(safe_next(next_url))
    throttle.failed(db, username, address)
    keep_writes()  # the refusal is a 401, the failure is counted all the same
    log.warning("login failed user=%s address=%s", username, address)
    return login_page(_("用户名或密码错误"), status=401)


@cache
def _dummy_hash() -> str:
    """A hash made the way real ones are (same method and cost), of a password nobody has."""
    return generate_password_hash(secrets.token_hex(16))


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
