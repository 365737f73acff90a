"""Flask-Login glue: engine.models.User wrapped in a UserMixin adapter (engine/ never imports Flask)."""
from __future__ import annotations

from functools import cache
from typing import Any

from flask import Flask, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from web.db import get_session

login_manager = LoginManager()
STAMP = "_stamp"  # the session's copy of engine.models.User.session_stamp


class WebUser(UserMixin):
    def __init__(self, model: Any) -> None:
        self.model = model

    def get_id(self) -> str:
        return str(self.model.id)

    @property
    def is_active(self) -> bool:
        return bool(self.model.active)

    def __getattr__(self, name: str) -> Any:  # name, username, unit, roles, has_role …
        return getattr(self.model, name)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录")
    login_manager.login_message_category = "info"
    login_manager.init_app(app)
    app.after_request(_keep_own_stamp)


@cache
def _user_query():
    """Built once: building the statement and its cache key cost as much as running it."""
    from engine.models import User

    return (select(User).where(User.id == bindparam("user_id"))
            .options(joinedload(User.unit), joinedload(User.roles)))


@login_manager.user_loader
def _load_user(user_id: str) -> WebUser | None:
    """The person, their unit and their roles in one SELECT, read afresh on every request: a person deactivated or
    whose roles change loses access on their next request, whichever worker process serves it, and a session whose
    stamp is no longer the person's (the same row, no extra statement) is logged out."""
    if not user_id.isdigit():
        return None
    user = get_session().scalars(_user_query(), {"user_id": int(user_id)}).unique().first()
    if user is None or not user.active or not user.session_stamp or session.get(STAMP) != user.session_stamp:
        return None  # deactivated, or this session was ended (logout, new password, new roles …)
    return WebUser(user)


def logged_in(user: Any) -> None:
    """After login_user: this session holds the person's stamp (made at their first login)."""
    if not user.session_stamp:
        from engine.people.accounts import end_sessions

        end_sessions(user)
    session[STAMP] = user.session_stamp


def _keep_own_stamp(response: Any) -> Any:
    """Someone who changed their own password, roles or unit ended their other sessions, not this one."""
    web_user = g.get("_login_user")
    if request.method != "POST" or response.status_code >= 400 or not isinstance(web_user, WebUser):
        return response  # (checked first: after a GET's rollback the person's row would be read again)
    stamp = web_user.model.session_stamp  # committed by now; still loaded
    if stamp and session.get(STAMP) is not None and session.get(STAMP) != stamp:
        session[STAMP] = stamp
    return response


def actor() -> Any:
    """The engine.models.User acting in this request."""
    return current_user.model
