"""Accounts: logins for roster members and unit clerks, kept by the office without a programmer.

Create a login (a roster member's user already exists without a password; a clerk's user is new), reset a password,
change roles, unit or name, deactivate and reactivate. Each function checks everything before it changes anything,
flushes but never commits, and writes an audit `Event` with no instance: these events are hash-chained among
themselves (`verify_log`). Passwords an administrator gives or resets must be changed at the next login.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.runtime import audit
from engine.worklist import claims
from engine.people import account_log, permissions
from engine.people.account_log import end_sessions
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound
from engine.models import Event, Role, Unit, User
from engine.people.passwords import check_password, generate_password, hash_password, password_problem
from engine.people.records import Member
from engine.people.rosters import USERNAME
from engine.i18n import N_

UNIT_REQUIRED = {"department"}  # a 承办单位 clerk sees the tasks of their unit: no unit, no tasks
KINDS = account_log.KINDS
STATUSES = ("active", "inactive", "none")  # has a login and may use it / has a login, deactivated / no login yet


@dataclass(frozen=True)
class Filters:
    unit: str = ""  # unit code
    role: str = ""  # role key
    q: str = ""  # part of a username or a name
    status: str = ""  # one of STATUSES, or all


@dataclass(frozen=True)
class Account:
    user: User
    member_id: int | None  # the roster entry, for a member

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    @property
    def has_login(self) -> bool:
        return bool(self.user.password_hash)


@dataclass(frozen=True)
class Issued:
    """A created or reset account; `password` is set only when generated, to be shown once and never stored."""

    user: User
    password: str | None


# ---------------------------------------------------------------- reading

def can_manage(user: User) -> bool:
    return permissions.can(user, "accounts.manage")


def accounts(session: Session, filters: Filters = Filters()) -> list[Account]:
    query = select(User).order_by(User.username)
    if filters.unit:
        query = query.where(User.unit_id == select(Unit.id).where(Unit.code == filters.unit).scalar_subquery())
    if filters.role:
        query = query.where(User.roles.any(Role.key == filters.role))
    if filters.q.strip():
        q = filters.q.strip()
        query = query.where(or_(User.username.icontains(q, autoescape=True), User.name.icontains(q, autoescape=True)))
    if filters.status == "none":
        query = query.where(User.password_hash == "")
    elif filters.status in ("active", "inactive"):
        query = query.where(User.password_hash != "", User.active.is_(filters.status == "active"))
    members = dict(session.execute(select(Member.user_id, Member.id)).tuples().all())
    return [Account(user, members.get(user.id)) for user in session.scalars(query)]


def members_without_login(session: Session) -> list[Member]:
    return list(session.scalars(select(Member).join(Member.user).where(User.password_hash == "")
                                .order_by(Member.active.desc(), User.username)))


def account(session: Session, user_id: int) -> Account:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("没有找到该账号。"))
    return Account(user, session.scalar(select(Member.id).where(Member.user_id == user.id)))


def roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).order_by(Role.name)))


def units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.id)))


def history(session: Session, user: User) -> list[Event]:
    """Account changes of one person, newest first."""
    return audit.log_events(session, KINDS, Event.data["user"].as_integer() == user.id)


def verify_log(session: Session) -> bool:
    """True while the account events still form an unbroken chain (none edited, none removed)."""
    return audit.verify_log(session, KINDS)


# ---------------------------------------------------------------- changing

def create(session: Session, actor: User, *, username: str = "", name: str = "", unit: str = "",
           role_keys: list[str] | tuple[str, ...] = (), password: str | None = None,
           confirm: str | None = None, member_id: int | None = None) -> Issued:
    """A login for a roster member (`member_id`: their user exists, without a password) or a new clerk.
    No `password` means: generate one, returned once in `Issued.password`."""
    _require_manager(actor)
    if member_id is not None:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(N_("没有找到该委员。"))
        user = member.user
        if user.password_hash:
            raise Conflict(N_("委员“%(name)s”已有账号（%(username)s），如需重新设置请在其账号页重置密码。",
                              name=member.name, username=user.username))
        username, name = user.username, member.name
    else:
        user = None
        username, name = (username or "").strip(), (name or "").strip()
    wanted = _roles(session, role_keys)
    errors = _account_errors(session, username=username, name=name, unit=unit, role_keys=role_keys, wanted=wanted,
                             new_user=user is None)
    errors.update(_password_errors(password, confirm, username))
    if errors:
        raise FormInvalid(errors)
    old_roles = user.role_keys if user is not None else set()
    _require_may_grant(actor, list(user.roles) if user is not None else [], wanted)
    if user is None:
        user = User(username=username, name=name)
        session.add(user)
    issued = generate_password() if password is None else password
    user.password_hash, user.must_change_password, user.active = hash_password(issued), True, True
    user.unit = _unit(session, unit)
    user.roles = wanted
    session.flush()
    _record(session, actor, "account_create", user, {
        "name": [None, user.name], "unit": [None, _code(user.unit)],
        "roles": [sorted(old_roles), sorted(set(role_keys))], "generated": password is None})
    return Issued(user, issued if password is None else None)


def update(session: Session, actor: User, user_id: int, *, unit: str = "", role_keys: list[str] | tuple[str, ...] = (),
           name: str | None = None) -> User:
    """Change a person's roles and unit (and the name of someone not on the roster: the roster keeps members')."""
    _require_manager(actor)
    found = account(session, user_id)
    user = found.user
    old_roles, new_roles = user.role_keys, set(role_keys)
    old_objects = list(user.roles)
    if name is None or found.is_member:
        name = user.name
    wanted = _roles(session, role_keys)
    errors = _account_errors(session, username=user.username, name=(name or "").strip(), unit=unit,
                             role_keys=role_keys, wanted=wanted, new_user=False)
    if errors:
        raise FormInvalid(errors)
    _require_may_grant(actor, old_objects, wanted)
    dropped = [r for r in old_objects if "accounts.manage" in (r.actions or ()) and r.key not in new_roles]
    if user.id == actor.id and dropped and "accounts.manage" not in permissions.actions_of(wanted):
        titles = "、".join(r.name for r in sorted(dropped, key=lambda r: r.key))
        raise Conflict(N_("不能取消自己的“%(titles)s”角色，否则将无法再管理账号；请由另一位管理员操作。", titles=titles))
    changes = {}
    if (name or "").strip() != user.name:
        changes["name"] = [user.name, name.strip()]
    if unit.strip() != _code(user.unit):
        changes["unit"] = [_code(user.unit), unit.strip()]
    if old_roles != new_roles:
        changes["roles"] = [sorted(old_roles), sorted(new_roles)]
    if not changes:
        return user
    user.name, user.unit, user.roles = name.strip(), _unit(session, unit), wanted
    if "roles" in changes or "unit" in changes:
        end_sessions(user)  # what they may see changed: they log in again
    session.flush()
    _record(session, actor, "account_update", user, changes)
    return user


def reset_password(session: Session, actor: User, user_id: int, password: str | None = None,
                   confirm: str | None = None) -> Issued:
    """A new password the person must change at next login; no `password` → generated, returned once."""
    _require_manager(actor)
    user = account(session, user_id).user
    _require_may_touch(actor, user)
    if not user.password_hash:
        raise Conflict(N_("“%(name)s”还没有开通账号，请先开通账号。", name=user.name))
    errors = _password_errors(password, confirm, user.username)
    if errors:
        raise FormInvalid(errors)
    issued = generate_password() if password is None else password
    user.password_hash, user.must_change_password = hash_password(issued), True
    end_sessions(user)
    session.flush()
    _record(session, actor, "password_reset", user, {"generated": password is None})
    return Issued(user, issued if password is None else None)


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate (refused on one's own account) or reactivate; a deactivated person is logged out at once."""
    _require_manager(actor)
    user = account(session, user_id).user
    _require_may_touch(actor, user)
    if not active and user.id == actor.id:
        raise Conflict(N_("不能停用自己的账号；如需停用，请由另一位管理员操作。"))
    if user.active == active:
        return user
    user.active = active
    end_sessions(user)
    session.flush()
    _record(session, actor, "account_enable" if active else "account_disable", user, {"active": [not active, active]})
    if not active:
        claims.release_all_of(session, actor, user)
    return user


def change_own_password(session: Session, user: User, current: str, new: str, again: str) -> None:
    """修改密码: the person's current password, then the new one twice."""
    errors = {}
    if not check_password(user.password_hash, current or ""):
        errors["current"] = N_("当前密码不正确。")
    problem = password_problem(new or "", user.username)
    if problem:
        errors["new"] = problem
    elif new == current:
        errors["new"] = N_("新密码不能与当前密码相同。")
    if (new or "") != (again or ""):
        errors["again"] = N_("两次输入的新密码不一致。")
    if errors:
        raise FormInvalid(errors)
    user.password_hash, user.must_change_password = hash_password(new), False
    end_sessions(user)  # every other session; the one that changed it keeps the new stamp (web/users.py)
    session.flush()
    _record(session, user, "password_change", user, {})


# ---------------------------------------------------------------- rules

def _require_manager(actor: User) -> None:
    if not can_manage(actor):
        raise Forbidden(N_("只有系统管理员和政协办公室可以管理账号。"))


def _privileged(roles) -> set[str]:
    return {role.key for role in roles if permissions.actions_of([role]) & permissions.PRIVILEGED}


def _require_may_grant(actor: User, old: list[Role], new: list[Role]) -> None:
    admin = permissions.can(actor, "accounts.admin")
    if _privileged(old) ^ _privileged(new) and not admin:
        raise Forbidden(N_("只有系统管理员可以授予或取消“系统管理员”“流程管理员”角色。"))
    if _privileged(old) and not admin:
        raise Forbidden(N_("该账号有系统管理员或流程管理员角色，只有系统管理员可以修改。"))


def _require_may_touch(actor: User, user: User) -> None:
    if _privileged(user.roles) and not permissions.can(actor, "accounts.admin"):
        raise Forbidden(N_("该账号有系统管理员或流程管理员角色，只有系统管理员可以修改。"))


def _account_errors(session: Session, *, username: str, name: str, unit: str, role_keys, wanted: list[Role],
                    new_user: bool) -> dict[str, str]:
    errors = {}
    if new_user:
        if not USERNAME.match(username):
            errors["username"] = N_("用户名“%(username)s”无效：2–60 个字母、数字、点、横线或下划线。", username=username)
        elif session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
            errors["username"] = N_("用户名“%(username)s”已被使用，请换一个。", username=username)
    if not name or len(name) > 60:
        errors["name"] = N_("姓名不能为空，最多 60 字。")
    unit = (unit or "").strip()
    if unit and _unit(session, unit) is None:
        errors["unit"] = N_("单位“%(unit)s”不存在。", unit=unit)
    unknown = [key for key in role_keys if key not in {role.key for role in wanted}]
    if unknown:
        errors["roles"] = N_("没有这个角色：%(value)s。", value='、'.join(unknown))
    elif not role_keys:
        errors["roles"] = N_("请至少选择一个角色。")
    elif set(role_keys) & UNIT_REQUIRED and not unit and "unit" not in errors:
        errors["unit"] = N_("承办单位经办人须选择所在单位，否则看不到本单位的待办。")
    return errors


def _password_errors(password: str | None, confirm: str | None, username: str) -> dict[str, str]:
    if password is None:
        return {}
    problem = password_problem(password, username)
    if problem:
        return {"password": problem}
    if confirm is not None and confirm != password:
        return {"confirm": "两次输入的密码不一致。"}
    return {}


def _roles(session: Session, keys) -> list[Role]:
    keys = [key for key in keys if isinstance(key, str)]
    return list(session.scalars(select(Role).where(Role.key.in_(keys)))) if keys else []


def _unit(session: Session, code: str) -> Unit | None:
    code = (code or "").strip()
    return session.scalar(select(Unit).where(Unit.code == code)) if code else None


def _code(unit: Unit | None) -> str:
    return unit.code if unit is not None else ""


# ---------------------------------------------------------------- audit

def _record(session: Session, actor: User, kind: str, user: User, changes: dict) -> Event:
    return account_log.record(session, actor, kind, user, changes)
