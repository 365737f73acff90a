"""Form fields that name things in the database (units, members, files, and what procedures register, e.g. a proposal
to merge into) must name things that exist."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import registry
from engine.errors import FormInvalid
from engine.models import Instance, Role, Unit, User
from engine.i18n import N_


def _units(session: Session, codes: list[str]) -> set[str]:
    return set(session.scalars(select(Unit.code).where(Unit.code.in_(codes))))


def _members(session: Session, usernames: list[str]) -> set[str]:
    return set(session.scalars(select(User.username).join(User.roles).where(
        User.username.in_(usernames), Role.key == "member", User.active.is_(True))))


def check(session: Session, schema: dict | None, data: dict, actor: User, instance: Instance | None = None) -> None:
    """Raise FormInvalid naming each field whose value points at nothing."""
    errors: dict[str, str] = {}
    registered = registry.get().reference_checks
    for name, prop, value in _fields(schema, data):
        widget = prop.get("x-widget")
        if value in (None, "", []) or widget not in ("unit", "units", "member", "members", "file", "files", *registered):
            continue
        values = value if isinstance(value, list) else [value]
        if widget in ("file", "files"):
            from engine.cases.attachments import not_of_instance

            if not_of_instance(session, values, instance):
                errors[name] = N_("附件不存在或不属于本事项，请重新上传")
        elif widget in ("unit", "units"):
            missing = set(values) - _units(session, values)
            if missing:
                errors[name] = N_("找不到单位：%(value)s", value='、'.join(sorted(missing)))
        elif widget in ("member", "members"):
            if actor.username in values:
                errors[name] = N_("不能选择自己")
                continue
            missing = set(values) - _members(session, values)
            if missing:
                errors[name] = N_("找不到委员：%(value)s", value='、'.join(sorted(missing)))
        else:
            problem = registered[widget](session, value, instance)
            if problem:
                errors[name] = problem
    if errors:
        raise FormInvalid(errors)


def _fields(schema: dict | None, data: dict):
    """(error key, property, value) of each top-level field, and of each cell of a repeated group (`group.0.col`)."""
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        items = prop.get("items") if prop.get("type") == "array" else None
        if isinstance(items, dict) and items.get("type") == "object":
            for index, row in enumerate(data.get(name) or []):
                for column, sub in (items.get("properties") or {}).items():
                    if isinstance(row, dict) and isinstance(sub, dict):
                        yield f"{name}.{index}.{column}", sub, row.get(column)
        else:
            yield name, prop, data.get(name)
