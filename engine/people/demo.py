"""Demo people: one user per role, a handful of members and a clerk for each handling unit."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.people import directory as reference, rosters
from engine.people.records import Member
from engine.models import Role, Unit, User
from engine.people.passwords import hash_password

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
    ("office2", "钱敏（政协办公室）", "zxb", ["office"]),  # a colleague to reassign or delegate to
    ("czj_clerk2", "县财政局经办人（二）", "czj", ["department"]),
    # members and supervision (P10–P14): those told of members' attendance and assessments
    ("zzb_ganbu", "刘洋（县委组织部）", "zzb", ["org_dept"]),
    ("tzb_ganbu", "马丽（县委统战部）", "tzb", ["united_front"]),
    # planning and consultation (P1–P7, P9): a clerk per special committee and the bodies that decide or sign
    ("jjw_clerk", "县政协经济委员会办公室", "jjw", ["committee"]),
    ("nyw_clerk", "县政协农业农村委员会办公室", "nyw", ["committee"]),
    ("kww_clerk", "县政协教科卫体委员会办公室", "kww", ["committee"]),
    ("shw_clerk", "县政协社会和法制委员会办公室", "shw", ["committee"]),
    ("wsw_clerk", "县政协文史和学习委员会办公室", "wsw", ["committee"]),
    ("changwei", "县委常委会（县委办公室代录）", "xwb", ["county_standing"]),
    ("dangzu", "郑毅（政协党组）", "zxb", ["party_group"]),
    ("changweihui", "政协常委会工作组", "zxb", ["standing_committee"]),
    ("jiebie", "冯军（界别召集人）", None, ["sector_group"]),
    ("xwlingdao", "钱进（县委副书记）", "xwb", ["leader"]),
]
HANDLING_UNITS = ["czj", "fgw", "jyj", "wjw", "nmj", "zzb", "tzb", "xcb", "dx", "fy", "jcy", "bb"]
# 任务分工督查: units leading or joining a task of the 分工方案 report through a `<code>_duty` clerk (承办单位 role)
DIVISION_UNITS = ["xwb", "zfb", "zxb", "rdb", "dcs", "zfdcs", "tawyh", "zxzwh"]
# 委员名册: username, 界别, 专门委员会, 委员联络活动组, 工作单位, 联系方式 (term 第十一届 2022–2026)
MEMBER_ROSTER = [
    ("member1", "经济界", "经济委员会", "开鲁镇委员联络组", "czj", "13904750001"),
    ("member2", "教育界", "教科卫体委员会", "开鲁镇委员联络组", "jyj", "13904750002"),
    ("member3", "医药卫生界", "教科卫体委员会", "东风镇委员联络组", "wjw", "13904750003"),
    ("member4", "农业界", "农业农村委员会", "东风镇委员联络组", "nmj", "13904750004"),
    ("member5", "经济界", "提案委员会", "开鲁镇委员联络组", "fgw", "13904750005"),
]
STANDING = ("member1", "member4")  # 政协常委 among the demo members


def load_demo(session: Session, directory: str | Path = "processes") -> list[tuple[str, str]]:
    """Create (or refresh) the demo units, roles and users; returns (username, what they do) pairs."""
    reference.load_roles(session, directory)
    reference.load_units(session, directory)
    units = {unit.code: unit for unit in session.scalars(select(Unit))}
    roles = {role.key: role for role in session.scalars(select(Role))}
    people = list(PEOPLE) + [(f"{code}_clerk", f"{units[code].name}经办人", code, ["department"])
                             for code in HANDLING_UNITS if code in units]
    people += [(f"{code}_leader", f"{units[code].name}负责人", code, ["unit_leader"])  # signs the unit's replies off
               for code in HANDLING_UNITS if code in units]
    people += [(f"{code}_duty", f"{units[code].name}督查任务联络员", code, ["department"])
               for code in DIVISION_UNITS if code in units]
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
    rosters.load_demo_roster(session, ("第十一届", 2022, 2026), MEMBER_ROSTER)
    for member in session.scalars(select(Member).join(Member.user).where(User.username.in_(STANDING))):
        member.standing = True
    session.flush()
    return logins
