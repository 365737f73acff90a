"""Rosters: members, units, sectors, committees, liaison groups and terms — edited one by one, or imported from and
exported to an Excel workbook (one sheet per roster). An import checks every row of every sheet first and changes
nothing if any row is wrong; the errors name the sheet and row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.spreadsheets import read_workbook, save, write_sheet
from engine.errors import Conflict, FormInvalid, NotFound
from engine.models import Role, Unit, User
from engine.people import account_log, permissions
from engine.people.records import Committee, LiaisonGroup, Member, Sector, Term
from engine.i18n import N_

LOOKUPS = {"sector": (Sector, N_("界别")), "committee": (Committee, N_("专门委员会")),
           "liaison_group": (LiaisonGroup, N_("委员联络活动组"))}
UNIT_KINDS = {"party": "党委部门", "gov": "政府部门", "dept": "县直部门", "congress": "人大", "court": "法院",
              "procuratorate": "检察院", "cppcc": "政协", "democratic_party": "民主党派", "fic": "工商联", "committee": "专门委员会", "org": "人民团体", "enterprise": "企事业单位", "other": "其他"}
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,60}$")
YES, NO = {"是", "在任", "1", "true", "TRUE", "True"}, {"否", "离任", "0", "false", "FALSE", "False"}

SHEETS = {  # sheet name -> columns (first is the key)
    "单位": ["编码", "名称", "类别"],
    "界别": ["名称"],
    "专门委员会": ["名称"],
    "委员联络活动组": ["名称"],
    "届次": ["名称", "起始年", "截止年"],
    "委员": ["用户名", "姓名", "界别", "专门委员会", "联络活动组", "工作单位", "届次", "联系方式", "在任", "常委"],
}
REQUIRED = {"单位": ["编码", "名称"], "界别": ["名称"], "专门委员会": ["名称"], "委员联络活动组": ["名称"],
            "届次": ["名称", "起始年", "截止年"], "委员": ["用户名", "姓名"]}


# ---------------------------------------------------------------- one at a time

def members(session: Session, *, include_inactive: bool = True) -> list[Member]:
    query = select(Member).join(Member.user).order_by(User.username)
    if not include_inactive:
        query = query.where(Member.active.is_(True))
    return list(session.scalars(query))


def lookup_rows(session: Session, kind: str) -> list:
    model = _lookup_model(kind)
    return list(session.scalars(select(model).order_by(model.name)))


def save_lookup(session: Session, kind: str, name: str, row_id: int | None = None):
    model, label = LOOKUPS[kind] if kind in LOOKUPS else (_lookup_model(kind), "")
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise FormInvalid({"name": N_("请填写名称（最多 60 字）")})
    clash = session.scalar(select(model).where(model.name == name, model.id != (row_id or 0)))
    if clash is not None:
        raise FormInvalid({"name": N_("已有名为“%(name)s”的%(label)s", name=name, label=label)})
    row = session.get(model, row_id) if row_id else model()
    if row is None:
        raise NotFound(N_("找不到该%(label)s。", label=label))
    row.name = name
    session.add(row)
    session.flush()
    return row


def delete_lookup(session: Session, kind: str, row_id: int) -> None:
    model, label = LOOKUPS[kind]
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(N_("找不到该%(label)s。", label=label))
    column = {"sector": Member.sector_id, "committee": Member.committee_id, "liaison_group": Member.liaison_group_id}[kind]
    used = session.scalar(select(func.count()).select_from(Member).where(column == row_id))
    if used:
        raise Conflict(N_("还有 %(used)s 位委员属于%(label)s“%(name)s”，不能删除。", used=used, label=label, name=row.name))
    session.delete(row)
    session.flush()


def save_unit(session: Session, code: str, name: str, kind: str) -> Unit:
    errors = _unit_errors(code, name, kind)
    if errors:
        raise FormInvalid(errors)
    unit = session.scalar(select(Unit).where(Unit.code == code.strip())) or Unit(code=code.strip())
    unit.name, unit.kind = name.strip(), kind
    session.add(unit)
    session.flush()
    return unit


def save_term(session: Session, name: str, start_year, end_year) -> Term:
    errors = _term_errors(name, start_year, end_year)
    if errors:
        raise FormInvalid(errors)
    term = session.scalar(select(Term).where(Term.name == name.strip())) or Term(name=name.strip())
    term.start_year, term.end_year = int(start_year), int(end_year)
    session.add(term)
    session.flush()
    return term


def save_member(session: Session, values: dict, actor: User | None = None) -> Member:
    """Create or update one member from a form: the same rules as one row of an import. `actor` is the person doing
    it (None only when the system itself loads the demo roster)."""
    ref = _References(session, actor)
    errors = ref.member_errors(values)
    if errors:
        raise FormInvalid(errors)
    return _apply_member(session, ref, values)


# ---------------------------------------------------------------- Excel

@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)  # sheet -> rows imported


def export_workbook(session: Session) -> bytes:
    book = Workbook()
    book.remove(book.active)
    rows = {
        "单位": [[u.code, u.name, UNIT_KINDS.get(u.kind, u.kind)] for u in session.scalars(select(Unit).order_by(Unit.id))],
        "界别": [[r.name] for r in lookup_rows(session, "sector")],
        "专门委员会": [[r.name] for r in lookup_rows(session, "committee")],
        "委员联络活动组": [[r.name] for r in lookup_rows(session, "liaison_group")],
        "届次": [[t.name, t.start_year, t.end_year] for t in session.scalars(select(Term).order_by(Term.start_year))],
        "委员": [[m.user.username, m.name, _name(m.sector), _name(m.committee), _name(m.liaison_group),
                 m.unit.code if m.unit else "", _name(m.term), m.contact, "是" if m.active else "否",
                 "是" if m.standing else "否"]
                for m in members(session)],
    }
    for title, columns in SHEETS.items():
        write_sheet(book, title, columns, rows[title])
    return save(book)


def import_workbook(session: Session, data: bytes, actor: User | None = None) -> ImportResult:
    """Import every known sheet of the workbook; any bad row → FormInvalid naming each bad row, nothing changed.
    A 委员 row touches only an account the actor could change through 账号管理 (see `_References.account_errors`),
    and every change to an account is in its history."""
    sheets: dict[str, list[dict]] = {}
    errors: dict[str, str] = {}
    for title, rows in read_workbook(data, field=""):
        if title not in SHEETS:
            errors[f"{title}"] = N_("不认识的工作表“%(title)s”，工作表名应为：%(value)s",
                                    title=title, value='、'.join(SHEETS))
            continue
        sheets[title] = _read_sheet(title, rows, errors)
    if not sheets and not errors:
        errors[""] = N_("工作簿中没有可导入的工作表。")
    ref = _References(session, actor)
    _check_all(ref, sheets, errors)
    if errors:
        raise FormInvalid(errors, N_("导入未执行：%(value)s 处有误，请修改后重新导入（所有数据均未改动）。", value=len(errors)))
    return _apply_all(session, ref, sheets)


def _read_sheet(title: str, rows: list[tuple], errors: dict[str, str]) -> list[dict]:
    rows = iter(rows)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    missing = [c for c in REQUIRED[title] if c not in header]
    if missing:
        errors[f"{title} 第1行"] = N_("缺少列：%(value)s", value='、'.join(missing))
        return []
    result = []
    for number, values in enumerate(rows, start=2):
        row = {name: _cell(values[i]) if i < len(values) else "" for i, name in enumerate(header) if name}
        if any(row.values()):
            result.append({"_row": number, **row})
    return result


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_all(ref: "_References", sheets: dict[str, list[dict]], errors: dict[str, str]) -> None:
    checks = {
        "单位": lambda r: _unit_errors(r.get("编码", ""), r.get("名称", ""), ref.unit_kind(r.get("类别", ""))),
        "界别": lambda r: _name_errors(r.get("名称", "")),
        "专门委员会": lambda r: _name_errors(r.get("名称", "")),
        "委员联络活动组": lambda r: _name_errors(r.get("名称", "")),
        "届次": lambda r: _term_errors(r.get("名称", ""), r.get("起始年", ""), r.get("截止年", "")),
        "委员": lambda r: ref.member_errors(_member_values(r)),
    }
    for title in SHEETS:  # reference sheets first: members may name a unit or sector the same workbook adds
        seen: dict[str, int] = {}
        for row in sheets.get(title, []):
            key = row.get(SHEETS[title][0], "")
            where = f"{title} 第{row['_row']}行"
            if key and key in seen:
                errors[where] = N_("“%(key)s”与第%(value)s行重复", key=key, value=seen[key])
                continue
            seen[key] = row["_row"]
            problems = checks[title](row)
            if problems:
                errors[where] = "；".join(problems.values())
            else:
                ref.add_pending(title, row)


def _apply_all(session: Session, ref: "_References", sheets: dict[str, list[dict]]) -> ImportResult:
    result = ImportResult()
    for row in sheets.get("单位", []):
        save_unit(session, row["编码"], row["名称"], ref.unit_kind(row.get("类别", "")))
    for title, kind in (("界别", "sector"), ("专门委员会", "committee"), ("委员联络活动组", "liaison_group")):
        model = LOOKUPS[kind][0]
        for row in sheets.get(title, []):
            if session.scalar(select(model).where(model.name == row["名称"])) is None:
                session.add(model(name=row["名称"]))
    for row in sheets.get("届次", []):
        save_term(session, row["名称"], row["起始年"], row["截止年"])
    session.flush()
    ref.refresh()
    for row in sheets.get("委员", []):
        _apply_member(session, ref, _member_values(row))
    session.flush()
    result.counts = {title: len(rows) for title, rows in sheets.items()}
    return result


# ---------------------------------------------------------------- validation and references

def _member_values(row: dict) -> dict:
    keys = {"用户名": "username", "姓名": "name", "界别": "sector", "专门委员会": "committee", "联络活动组": "liaison_group",
            "工作单位": "unit", "届次": "term", "联系方式": "contact", "在任": "active", "常委": "standing"}
    return {key: row.get(column, "") for column, key in keys.items()}


def _name_errors(name: str) -> dict[str, str]:
    return {} if name and len(name) <= 60 else {"name": "名称不能为空，最多 60 字"}


def _unit_errors(code: str, name: str, kind: str | None) -> dict[str, str]:
    errors = {}
    if not re.match(r"^[A-Za-z0-9_]{1,40}$", code or ""):
        errors["code"] = N_("单位编码“%(code)s”无效（只能用字母、数字和下划线）", code=code)
    if not name or len(name) > 100:
        errors["name"] = N_("单位名称不能为空，最多 100 字")
    if kind is None:
        errors["kind"] = N_("单位类别无效，可用：%(value)s", value='、'.join(UNIT_KINDS.values()))
    return errors


def _term_errors(name: str, start, end) -> dict[str, str]:
    errors = {}
    if not name or len(name) > 30:
        errors["name"] = N_("届次名称不能为空，最多 30 字")
    try:
        if not 1949 <= int(start) <= int(end) <= 2200:
            errors["end_year"] = N_("起止年份不合理")
    except (TypeError, ValueError):
        errors["start_year"] = N_("起始年和截止年须为年份数字")
    return errors


def _name(row) -> str:
    return row.name if row is not None else ""


class _References:
    """Names an import or a form may refer to: what the database has plus what earlier sheets add."""

    def __init__(self, session: Session, actor: User | None = None):
        self.session, self.actor = session, actor
        self.refresh()
        self.pending: dict[str, set[str]] = {title: set() for title in SHEETS}

    def refresh(self) -> None:
        s = self.session
        self.units = {u.code: u for u in s.scalars(select(Unit))}
        self.unit_names = {u.name: u for u in self.units.values()}
        self.lookups = {kind: {r.name: r for r in s.scalars(select(model))} for kind, (model, _l) in LOOKUPS.items()}
        self.terms = {t.name: t for t in s.scalars(select(Term))}

    def add_pending(self, title: str, row: dict) -> None:
        self.pending[title].add(row.get(SHEETS[title][0], ""))
        if title == "单位":
            self.pending[title].add(row.get("名称", ""))

    def account_errors(self, username: str) -> dict[str, str]:
        """The roster may create a member's account, and change the name, the 委员 role and whether it is active of an
        account already on the roster. It never touches another account (a staff or clerk login: renaming it or
        adding a role is 账号管理's decision), nor one the actor could not change there (系统管理员/流程管理员 roles
        are the administrator's)."""
        user = _user_named(self.session, username)
        if user is None or self.actor is None:
            return {}
        on_roster = self.session.scalar(select(Member.id).where(Member.user_id == user.id)) is not None
        if not on_roster:
            return {"username": N_("用户名“%(value)s”已是一个不在名册上的账号（%(name)s），名册不能修改它：请换一个用户名，或在账号管理中处理",
                                   value=username, name=user.name)}
        if not permissions.can(self.actor, "accounts.manage") and user.password_hash:
            return {"username": N_("“%(value)s”已开通账号，只有能管理账号的人可以通过名册修改它", value=username)}
        privileged = permissions.actions_of(user.roles) & permissions.PRIVILEGED
        if privileged and not permissions.can(self.actor, "accounts.admin"):
            return {"username": N_("“%(value)s”的账号有系统管理员或流程管理员角色，只有系统管理员可以修改", value=username)}
        return {}

    def unit_kind(self, text: str) -> str | None:
        if not text:
            return "dept"
        by_title = {title: key for key, title in UNIT_KINDS.items()}
        return text if text in UNIT_KINDS else by_title.get(text)

    def unit(self, text: str) -> Unit | None:
        return self.units.get(text) or self.unit_names.get(text)

    def member_errors(self, v: dict) -> dict[str, str]:
        errors = {}
        if not USERNAME.match(v.get("username") or ""):
            errors["username"] = N_("用户名“%(value)s”无效（2–60 个字母、数字、点、横线或下划线）", value=v.get('username') or '')
        else:
            errors.update(self.account_errors(v["username"]))
        if not v.get("name") or len(v["name"]) > 60:
            errors["name"] = N_("姓名不能为空，最多 60 字")
        for key, title, label in (("sector", "界别", N_("界别")), ("committee", "专门委员会", N_("专门委员会")),
                                  ("liaison_group", "委员联络活动组", N_("联络活动组"))):
            value = v.get(key) or ""
            if value and value not in self.lookups[key] and value not in self.pending[title]:
                errors[key] = N_("%(label)s“%(value)s”不存在", label=label, value=value)
        unit = v.get("unit") or ""
        if unit and self.unit(unit) is None and unit not in self.pending["单位"]:
            errors["unit"] = N_("工作单位“%(unit)s”不存在（填写单位编码或名称）", unit=unit)
        term = v.get("term") or ""
        if term and term not in self.terms and term not in self.pending["届次"]:
            errors["term"] = N_("届次“%(term)s”不存在", term=term)
        if len(v.get("contact") or "") > 100:
            errors["contact"] = N_("联系方式最多 100 字")
        active = v.get("active")
        if active not in (None, "", True, False) and active not in YES | NO:
            errors["active"] = N_("“在任”一栏请填“是”或“否”")
        standing = v.get("standing")
        if standing not in (None, "", True, False) and standing not in YES | NO:
            errors["standing"] = N_("“常委”一栏请填“是”或“否”")
        return errors


def _user_named(session: Session, username: str) -> User | None:
    """The account a username names, as 账号管理 sees it (usernames are unique whatever their case)."""
    return session.scalars(select(User).where(func.lower(User.username) == (username or "").lower())
                           .order_by(User.id)).first()


def _apply_member(session: Session, ref: _References, v: dict) -> Member:
    user = _user_named(session, v["username"])
    created = user is None
    before = {"name": None, "roles": [], "active": None} if created else \
        {"name": user.name, "roles": sorted(user.role_keys), "active": user.active}
    if created:
        user = User(username=v["username"], name=v["name"], password_hash="")
        session.add(user)
    user.name = v["name"]
    member_role = session.get(Role, "member")
    if member_role is not None and member_role not in user.roles:
        user.roles = [*user.roles, member_role]
    session.flush()
    member = session.scalar(select(Member).where(Member.user_id == user.id)) or Member(user_id=user.id)
    member.name = v["name"]
    member.sector = ref.lookups["sector"].get(v.get("sector") or "")
    member.committee = ref.lookups["committee"].get(v.get("committee") or "")
    member.liaison_group = ref.lookups["liaison_group"].get(v.get("liaison_group") or "")
    member.unit = ref.unit(v.get("unit") or "")
    member.term = ref.terms.get(v.get("term") or "")
    member.contact = v.get("contact") or ""
    active = v.get("active")
    member.active = active not in NO and active is not False
    if v.get("standing") not in (None, ""):  # a blank cell (or a workbook without the column) keeps who is 常委
        member.standing = v["standing"] in YES or v["standing"] is True
    # The roster never switches a login back on (that is the account page's decision, after a deactivation);
    # it switches it off when the member leaves office and holds no other role.
    if created:
        user.active = member.active
    elif not member.active and len(user.roles) <= 1:
        user.active = False
    session.add(member)
    session.flush()
    if not created and (sorted(user.role_keys) != before["roles"] or user.active != before["active"]):
        account_log.end_sessions(user)  # what they may see changed: they log in again, as after 账号管理's changes
    _record_account_changes(session, ref.actor, user, created, before)
    return member


def _record_account_changes(session: Session, actor: User | None, user: User, created: bool, before: dict) -> None:
    """What the roster changed of the account goes into the account's history, as 账号管理's own changes do (the
    system loading the demo roster, with no actor, records nothing)."""
    if actor is None:
        return
    after = {"name": user.name, "roles": sorted(user.role_keys), "active": user.active}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if created:
        account_log.record(session, actor, "account_create", user, changes, source="roster")
        return
    active = changes.pop("active", None)
    if changes:
        account_log.record(session, actor, "account_update", user, changes, source="roster")
    if active is not None:
        account_log.record(session, actor, "account_enable" if user.active else "account_disable", user,
                        {"active": active}, source="roster")


def _lookup_model(kind: str):
    if kind not in LOOKUPS:
        raise NotFound(N_("没有这种名册。"))
    return LOOKUPS[kind][0]


def load_demo_roster(session: Session, term: tuple[str, int, int], rows: list[tuple]) -> None:
    """Demo: put existing users on the roster. rows: (username, sector, committee, liaison group, unit code, contact)."""
    save_term(session, *term)
    for _username, *names, _unit, _contact in rows:
        for kind, name in zip(("sector", "committee", "liaison_group"), names):
            model = LOOKUPS[kind][0]
            if name and session.scalar(select(model).where(model.name == name)) is None:
                session.add(model(name=name))
    session.flush()
    for username, sector, committee, group, unit, contact in rows:
        user = session.scalar(select(User).where(User.username == username))
        if user is not None:
            save_member(session, {"username": username, "name": user.name, "sector": sector, "committee": committee,
                                  "liaison_group": group, "unit": unit, "term": term[0], "contact": contact})
