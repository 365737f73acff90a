"""Factories for the people and units a test needs beyond the demo ones: real rows through the models, with a login."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import Role, Unit, User
from engine.people.passwords import hash_password

PASSWORD = "xieshang"


def unit(session, code: str, name: str | None = None, kind: str = "dept") -> Unit:
    """The unit with `code`, created if missing."""
    found = session.scalar(select(Unit).where(Unit.code == code))
    if found is None:
        found = Unit(code=code, name=name or f"测试单位{code}", kind=kind)
        session.add(found)
        session.flush()
    return found


def person(session, username: str, roles=(), *, unit_code: str | None = None, name: str | None = None,
           password: str = PASSWORD) -> User:
    """A person who can log in with `password`, holding `roles` (keys of processes/roles.json)."""
    user = User(username=username, name=name or username, password_hash=hash_password(password),
                unit=unit(session, unit_code) if unit_code else None)
    user.roles = list(session.scalars(select(Role).where(Role.key.in_(list(roles))))) if roles else []
    missing = set(roles) - {role.key for role in user.roles}
    assert not missing, f"no such roles: {missing}"
    session.add(user)
    session.flush()
    return user
