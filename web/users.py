"""Flask-Login glue: engine.models.User wrapped in a UserMixin adapter (engine/ never imports Flask)."""
from __future__ import annotations

from functools import cache
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from web.db import get_session

login_manager = LoginManager()


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


@cache
def _user_query():
    """Built once: building the statement and its cache key cost as much as running it."""
    from engine.models import User

    return (select(User).where(User.id == bindparam("user_id"))
            .options(joinedload(User.unit), joinedload(User.roles)))


@login_manager.user_loader
def _load_user(user_id: str) -> WebUser | None:
    """The person, their unit and their roles in one SELECT, read afresh on every request: a person deactivated or
    whose roles change loses access on their next request, whichever worker process serves it."""
    if not user_id.isdigit():
        return None
    user = get_session().scalars(_user_query(), {"user_id": int(user_id)}).unique().first()
    return WebUser(user) if user is not None and user.active else None


def actor() -> Any:
    """The engine.models.User acting in this request."""
    return current_user.model
