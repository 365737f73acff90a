"""Demo people: one user per role, a handful of members and a clerk for each handling unit."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import reference
from .models import Role, Unit, User
from .passwords import hash_password

DEMO_PASSWORD = "xieshang"
# username, name, unit code, roles
PEOPLE = [
    ("admin", "系统管理员", "zxb", ["admin", "process_owner"]),
    ("office1", "王秀英（政协办公室）", "zxb", ["office"]),
    ("tiwei", "李建国（提案委员会）", "zxb", ["proposal_committee"]),
    ("duban", "赵志刚（县委督查室）", "dcs", ["supervisor"]),
    ("member1", "张明（委员）", None, ["member"]),
    ("member2", "刘芳（委员）", None, ["member"]),
    ("member3", "陈伟（委员）", None, ["member"]),
    ("member4", "杨丽（委员）", None, ["member"]),
    ("member5", "黄强（委员）", None, ["member"]),
    ("mishuzhang", "周文（秘书长）", "zxb", ["secretary_general"]),
    ("zhuxi", "吴海（政协主席）", "zxb", ["chair", "chair_meeting"]),
    ("xwb_clerk", "县委办公室文书", "xwb", ["county_office"]),
    ("zfb_clerk", "县政府办公室文书", "zfb", ["gov_office"]),
    ("lingdao", "孙立（分管副县长）", "zfb", ["leader"]),
]
HANDLING_UNITS = ["czj", "fgw", "jyj", "wjw", "nmj", "zzb", "tzb", "xcb", "dx", "fy", "jcy", "bb"]


def load_demo(session: Session, directory: str | Path = "processes") -> list[tuple[str, str]]:
    """Create (or refresh) the demo units, roles and users; returns (username, what they do) pairs."""
    reference.load_roles(session, directory)
    reference.load_units(session, directory)
    units = {unit.code: unit for unit in session.scalars(select(Unit))}
    roles = {role.key: role for role in session.scalars(select(Role))}
    people = list(PEOPLE) + [(f"{code}_clerk", f"{units[code].name}经办人", code, ["department"])
                             for code in HANDLING_UNITS if code in units]
    existing = {user.username: user for user in session.scalars(select(User))}
    password = hash_password(DEMO_PASSWORD)
    logins = []
    for username, name, unit_code, role_keys in people:
        user = existing.get(username) or User(username=username, password_hash=password)
        user.name, user.unit = name, units.get(unit_code) if unit_code else None
        user.roles = [roles[key] for key in role_keys if key in roles]
        session.add(user)
        logins.append((username, name))
    session.flush()
    return logins
