"""Reference data kept under processes/: roles (lane names) and units."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.people import permissions
from engine.errors import DeployError, Problem
from engine.models import Role, Unit


def load_roles(session: Session, directory: str | Path = "processes") -> int:
    rows = json.loads((Path(directory) / "roles.json").read_text(encoding="utf-8"))
    wrong = [Problem(row["key"], f"角色“{row['name']}”的 may 中有不存在的权限：{'、'.join(permissions.unknown(row['may']))}")
             for row in rows if permissions.unknown(row.get("may", []))]
    if wrong:
        raise DeployError(wrong, "roles.json 未载入：" + "；".join(p.message for p in wrong))
    existing = {role.key: role for role in session.scalars(select(Role))}
    for row in rows:
        role = existing.get(row["key"]) or Role(key=row["key"])
        role.name, role.description = row["name"], row.get("description", "")
        role.actions = sorted(row.get("may", []))
        session.add(role)
    session.flush()
    return len(rows)


def load_units(session: Session, directory: str | Path = "processes") -> int:
    rows = json.loads((Path(directory) / "units.json").read_text(encoding="utf-8"))
    existing = {unit.code: unit for unit in session.scalars(select(Unit))}
    for row in rows:
        unit = existing.get(row["code"]) or Unit(code=row["code"])
        unit.name, unit.kind = row["name"], row.get("kind", "dept")
        session.add(unit)
    session.flush()
    return len(rows)
