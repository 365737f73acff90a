"""The account log: every change to a login (by 账号管理 or by the roster) as a hash-chained audit event."""
from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from engine.models import Event, User
from engine.runtime import audit

KINDS = ("account_create", "account_update", "password_reset", "account_disable", "account_enable",
         "password_change")


def record(session: Session, actor: User | None, kind: str, user: User, changes: dict,
           source: str | None = None) -> Event:
    """One change of `user`'s account; `source` says where it was made when not on 账号管理 (e.g. "roster")."""
    data = {"user": user.id, "username": user.username, "changes": changes}
    if source:
        data["source"] = source
    return audit.record_log(session, KINDS, kind, actor, data)


def end_sessions(user: User) -> str:
    """A new session stamp: every session logged in with the old one ends at its next request."""
    user.session_stamp = secrets.token_hex(16)
    return user.session_stamp
