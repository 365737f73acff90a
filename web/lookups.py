"""Reference data for forms and read-only views: units, members, process names (small SELECTs, no workflows)."""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload

from web.forms import Choice


def options_provider(session: Session, exclude_user_id: int | None = None) -> Callable[[str], list[Choice]]:
    """Choices for `x-widget` unit(s) (unit code → name) and member(s) (username → name, unit)."""
    cache: dict[str, list[Choice]] = {}

    def options_for(kind: str) -> list[Choice]:
        if kind not in cache:
            if kind in ("gov_leader", "cppcc_leader"):
                from engine.procedures.proposal.core import leaders

                cache[kind] = leaders(session, kind)
            else:
                cache[kind] = (_units(session) if kind == "unit" else _liaison_groups(session) if kind == "liaison_group"
                               else _members(session, exclude_user_id))
        return cache[kind]

    return options_for


def _units(session: Session) -> list[Choice]:
    from engine.models import Unit

    return [(code, name) for code, name in session.execute(select(Unit.code, Unit.name).order_by(Unit.id))]


def _liaison_groups(session: Session) -> list[Choice]:
    from engine.people.records import LiaisonGroup

    return [(name, name) for name in session.scalars(select(LiaisonGroup.name).order_by(LiaisonGroup.id))]


def _members(session: Session, exclude_user_id: int | None) -> list[Choice]:
    from engine.models import Role, User

    users = session.scalars(select(User).join(User.roles).where(Role.key == "member", User.active.is_(True))
                            .options(joinedload(User.unit), lazyload(User.roles))  # one SELECT: roles not needed
                            .order_by(User.username)).unique()
    return [(u.username, f"{u.name}（{u.unit.name}）" if u.unit else u.name) for u in users if u.id != exclude_user_id]


def name_lookup(session: Session) -> Callable[[str, str], str]:
    """('unit', code) → unit name, ('member', username) → person's name; unknown codes shown as they are."""
    cache: dict[tuple[str, str], str] = {}

    def name_of(kind: str, code: str) -> str:
        if (kind, code) not in cache:
            cache[(kind, code)] = _name(session, kind, code) or code
        return cache[(kind, code)]

    return name_of


def _name(session: Session, kind: str, code: str) -> str | None:
    from engine.models import Unit, User

    if kind == "unit":
        return session.scalar(select(Unit.name).where(Unit.code == code))
    if kind == "liaison_group":  # kept by name
        return code
    return session.scalar(select(User.name).where(User.username == code))


def version_forms(session: Session, version_id: Any) -> list[dict[str, Any]]:
    from engine.definitions import deploy as definitions

    return list((definitions.version_by_id(session, version_id).forms or {}).values())  # versions are cached
