"""Accounts: creating logins for roster members and clerks, resets, roles and unit, deactivation, one's own password;
every refusal changes nothing, every change is an audit event in an unbroken chain."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.people import accounts, rosters
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound
from engine.models import Event, User
from engine.people.passwords import check_password, generate_password, password_problem
from engine.people.records import Member

CLERK = {"username": "czj_new", "name": "县财政局新经办人", "unit": "czj", "role_keys": ["department"]}


@pytest.fixture
def newcomer(deployed):
    """A member imported onto the roster: a person without a login."""
    member = rosters.save_member(deployed, {"username": "sun_xin", "name": "孙新", "sector": "经济界", "unit": "czj"})
    deployed.commit()
    return member


def snapshot(session) -> tuple:
    """Everything an account change could touch, read in the session (so unflushed changes show too)."""
    people = tuple((u.username, u.name, u.password_hash, u.active, u.must_change_password, u.unit_id,
                    tuple(sorted(u.role_keys))) for u in session.scalars(select(User).order_by(User.id)))
    return people, session.scalar(select(func.count()).select_from(Event))


def refused(session, error, call, *args, **kwargs):
    before = snapshot(session)
    with pytest.raises(error) as raised:
        call(*args, **kwargs)
    assert not session.new and not session.dirty
    assert snapshot(session) == before
    return raised.value


def log(session, kind: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.kind == kind, Event.instance_id.is_(None))))


# ---------------------------------------------------------------- passwords

@pytest.mark.parametrize("password, username, problem", [
    ("short7!", "", "至少 8 个"), ("        ", "", "空格"), ("member1x", "member1x", "用户名相同"),
    ("MEMBER1X", "member1x", "用户名相同"), ("x" * 129, "", "最多 128"), ("good-pass-1", "member1", None)])
def test_password_policy(password, username, problem):
    found = password_problem(password, username)
    assert (found is None) if problem is None else (problem in found)


def test_generated_passwords_pass_the_policy_and_differ():
    made = {generate_password() for _ in range(50)}
    assert len(made) == 50
    assert all(password_problem(p) is None and any(c.isdigit() for c in p) for p in made)
    assert not any(c in p for p in made for c in "0O1lI")


# ---------------------------------------------------------------- create

def test_create_a_clerk_with_a_generated_password(deployed, users):
    issued = accounts.create(deployed, users.admin, **CLERK)
    deployed.commit()
    user = issued.user
    assert issued.password and check_password(user.password_hash, issued.password)
    assert user.must_change_password and user.active and user.unit.code == "czj" and user.role_keys == {"department"}
    [event] = log(deployed, "account_create")
    assert event.actor_id == users.admin.id and event.data["username"] == "czj_new"
    assert event.data["changes"]["roles"] == [[], ["department"]] and event.data["changes"]["generated"] is True
    assert issued.password not in str(event.data) and user.password_hash not in str(event.data)
    assert accounts.verify_log(deployed)


def test_create_with_a_chosen_password_returns_none_to_show(deployed, users):
    issued = accounts.create(deployed, users.office1, **CLERK, password="kailu-2026", confirm="kailu-2026")
    assert issued.password is None and check_password(issued.user.password_hash, "kailu-2026")
    assert issued.user.must_change_password


def test_create_a_login_for_a_roster_member(deployed, users, newcomer):
    assert [m.user.username for m in accounts.members_without_login(deployed)] == ["sun_xin"]
    assert not accounts.account(deployed, newcomer.user_id).has_login
    issued = accounts.create(deployed, users.office1, member_id=newcomer.id, role_keys=["member"],
                             username="ignored", name="ignored")
    deployed.commit()
    assert issued.user.id == newcomer.user_id and issued.user.username == "sun_xin" and issued.user.name == "孙新"
    assert issued.user.unit is None  # the roster's 工作单位 is not the login's unit (that would route unit tasks)
    assert accounts.members_without_login(deployed) == []
    assert accounts.account(deployed, newcomer.user_id).has_login
    assert accounts.account(deployed, newcomer.user_id).is_member


def test_a_member_with_a_login_is_not_created_twice(deployed, users, newcomer):
    accounts.create(deployed, users.office1, member_id=newcomer.id, role_keys=["member"])
    deployed.commit()
    error = refused(deployed, Conflict, accounts.create, deployed, users.office1, member_id=newcomer.id,
                    role_keys=["member"])
    assert "已有账号" in error.message
    refused(deployed, NotFound, accounts.create, deployed, users.office1, member_id=99999, role_keys=["member"])


@pytest.mark.parametrize("change, field, words", [
    ({"username": "member1"}, "username", "已被使用"),
    ({"username": "Member1"}, "username", "已被使用"),
    ({"username": "张三"}, "username", "无效"),
    ({"username": ""}, "username", "无效"),
    ({"name": ""}, "name", "姓名不能为空"),
    ({"unit": "nowhere"}, "unit", "单位“nowhere”不存在"),
    ({"unit": ""}, "unit", "须选择所在单位"),
    ({"role_keys": ["department", "king"]}, "roles", "没有这个角色：king"),
    ({"role_keys": []}, "roles", "至少选择一个角色"),
    ({"password": ""}, "password", "至少 8 个"),
    ({"password": "short"}, "password", "至少 8 个"),
    ({"password": "czj_new"}, "password", "至少 8 个"),
    ({"username": "czj_new_x", "password": "czj_new_x"}, "password", "用户名相同"),
    ({"password": "long-enough-1", "confirm": "long-enough-2"}, "confirm", "不一致"),
])
def test_bad_input_is_refused_and_changes_nothing(deployed, users, change, field, words):
    error = refused(deployed, FormInvalid, accounts.create, deployed, users.admin, **{**CLERK, **change})
    assert words in error.errors[field], error.errors


def test_only_managers_keep_accounts(deployed, users, newcomer):
    for call, args in ((accounts.create, {**CLERK}),
                       (accounts.update, {"user_id": users.member2.id, "role_keys": ["member"]}),
                       (accounts.reset_password, {"user_id": users.member2.id}),
                       (accounts.set_active, {"user_id": users.member2.id, "active": False})):
        error = refused(deployed, Forbidden, call, deployed, users.member1, **args)
        assert "只有系统管理员和政协办公室" in error.message
    assert accounts.can_manage(users.office1) and accounts.can_manage(users.admin)
    assert not accounts.can_manage(users.czj_clerk)


# ---------------------------------------------------------------- administrator roles

def test_the_office_cannot_hand_out_or_touch_administrator_roles(deployed, users):
    error = refused(deployed, Forbidden, accounts.create, deployed, users.office1, **{**CLERK, "role_keys": ["admin"]})
    assert "只有系统管理员可以授予" in error.message
    refused(deployed, Forbidden, accounts.update, deployed, users.office1, users.member1.id,
            role_keys=["member", "process_owner"])
    for call, kwargs in ((accounts.reset_password, {}), (accounts.set_active, {"active": False}),
                         (accounts.update, {"role_keys": ["admin", "process_owner"], "unit": "czj"})):
        error = refused(deployed, Forbidden, call, deployed, users.office1, users.admin.id, **kwargs)
        assert "只有系统管理员可以修改" in error.message
    accounts.update(deployed, users.admin, users.member1.id, role_keys=["member", "process_owner"])
    assert users.member1.role_keys == {"member", "process_owner"}


# ---------------------------------------------------------------- update

def test_change_roles_and_unit_is_logged_with_before_and_after(deployed, users):
    clerk = users.czj_clerk
    accounts.update(deployed, users.office1, clerk.id, unit="fgw", role_keys=["department", "committee"])
    deployed.commit()
    assert clerk.unit.code == "fgw" and clerk.role_keys == {"department", "committee"}
    [event] = log(deployed, "account_update")
    assert event.data["changes"] == {"unit": ["czj", "fgw"], "roles": [["department"], ["committee", "department"]]}
    assert accounts.history(deployed, clerk) == [event]
    accounts.update(deployed, users.office1, clerk.id, unit="fgw", role_keys=["committee", "department"])
    assert len(log(deployed, "account_update")) == 1  # nothing changed, nothing logged


def test_a_clerk_name_changes_here_a_member_name_only_on_the_roster(deployed, users):
    accounts.update(deployed, users.office1, users.czj_clerk.id, unit="czj", role_keys=["department"], name="财政局 小王")
    assert users.czj_clerk.name == "财政局 小王"
    accounts.update(deployed, users.office1, users.member1.id, role_keys=["member"], name="改名")
    assert users.member1.name == "张明（委员）"


@pytest.mark.parametrize("change, field", [({"unit": "nowhere"}, "unit"), ({"role_keys": ["nobody"]}, "roles"),
                                           ({"role_keys": []}, "roles"), ({"unit": ""}, "unit"),
                                           ({"name": ""}, "name")])
def test_update_refuses_bad_input_and_changes_nothing(deployed, users, change, field):
    values = {"unit": "czj", "role_keys": ["department"], **change}
    error = refused(deployed, FormInvalid, accounts.update, deployed, users.office1, users.czj_clerk.id, **values)
    assert field in error.errors
    refused(deployed, NotFound, accounts.update, deployed, users.office1, 99999, role_keys=["member"])


def test_a_manager_cannot_take_away_their_own_management_role(deployed, users):
    error = refused(deployed, Conflict, accounts.update, deployed, users.office1, users.office1.id, unit="zxb",
                    role_keys=["member"])
    assert "不能取消自己的“政协办公室”角色" in error.message
    error = refused(deployed, Conflict, accounts.update, deployed, users.admin, users.admin.id, unit="zxb",
                    role_keys=["process_owner"])
    assert "系统管理员" in error.message
    accounts.update(deployed, users.office1, users.office1.id, unit="zxb", role_keys=["office", "member"])
    assert users.office1.role_keys == {"office", "member"}


# ---------------------------------------------------------------- reset, deactivate

def test_reset_password(deployed, users):
    member = users.member2
    issued = accounts.reset_password(deployed, users.office1, member.id)
    deployed.commit()
    assert issued.password and check_password(member.password_hash, issued.password)
    assert not check_password(member.password_hash, "xieshang") and member.must_change_password
    chosen = accounts.reset_password(deployed, users.office1, member.id, "new-pass-2026", "new-pass-2026")
    assert chosen.password is None and check_password(member.password_hash, "new-pass-2026")
    assert [e.data["changes"]["generated"] for e in accounts.history(deployed, member)] == [False, True]


def test_reset_refusals_change_nothing(deployed, users, newcomer):
    error = refused(deployed, FormInvalid, accounts.reset_password, deployed, users.office1, users.member2.id,
                    "member2")
    assert "至少 8 个" in error.errors["password"]
    refused(deployed, FormInvalid, accounts.reset_password, deployed, users.office1, users.member2.id,
            "abcdefgh1", "abcdefgh2")
    error = refused(deployed, Conflict, accounts.reset_password, deployed, users.office1, newcomer.user_id)
    assert "还没有开通账号" in error.message
    refused(deployed, NotFound, accounts.reset_password, deployed, users.office1, 99999)


def test_deactivate_and_reactivate(deployed, users):
    clerk = users.czj_clerk
    accounts.set_active(deployed, users.office1, clerk.id, False)
    deployed.commit()
    assert not clerk.active
    assert [a.user.username for a in accounts.accounts(deployed, accounts.Filters(status="inactive"))] == ["czj_clerk"]
    accounts.set_active(deployed, users.office1, clerk.id, False)  # already: no second event
    accounts.set_active(deployed, users.office1, clerk.id, True)
    assert clerk.active
    assert [e.kind for e in accounts.history(deployed, clerk)] == ["account_enable", "account_disable"]


def test_nobody_deactivates_themselves(deployed, users):
    for username in ("admin", "office1"):
        me = getattr(users, username)
        error = refused(deployed, Conflict, accounts.set_active, deployed, me, me.id, False)
        assert "不能停用自己的账号" in error.message


# ---------------------------------------------------------------- one's own password

def test_change_own_password(deployed, users):
    member = users.member3
    accounts.reset_password(deployed, users.office1, member.id, "given-by-office")
    accounts.change_own_password(deployed, member, "given-by-office", "mine-only-2026", "mine-only-2026")
    assert check_password(member.password_hash, "mine-only-2026") and not member.must_change_password
    [event] = log(deployed, "password_change")
    assert event.actor_id == member.id and event.data["user"] == member.id


@pytest.mark.parametrize("current, new, again, field, words", [
    ("wrong-one", "mine-only-2026", "mine-only-2026", "current", "当前密码不正确"),
    ("xieshang", "short", "short", "new", "至少 8 个"),
    ("xieshang", "member3", "member3", "new", "至少 8 个"),
    ("xieshang", "xieshang", "xieshang", "new", "不能与当前密码相同"),
    ("xieshang", "mine-only-2026", "mine-only-2027", "again", "不一致"),
])
def test_own_password_refusals_change_nothing(deployed, users, current, new, again, field, words):
    member = users.member3
    error = refused(deployed, FormInvalid, accounts.change_own_password, deployed, member, current, new, again)
    assert words in error.errors[field]
    assert check_password(member.password_hash, "xieshang")


# ---------------------------------------------------------------- lists and the audit chain

def test_filters(deployed, users, newcomer):
    def names(**filters):
        return {a.user.username for a in accounts.accounts(deployed, accounts.Filters(**filters))}

    assert names(unit="czj") == {"czj_clerk", "czj_clerk2", "czj_leader"}
    assert names(role="supervisor") == {"duban"}
    assert names(q="财政局") == {"czj_clerk", "czj_clerk2", "czj_leader"}
    assert names(q="MEMBER") >= {"member1", "member5"}
    assert names(q="%") == set() and names(q="_") == {u.username for u in deployed.scalars(select(User))
                                                       if "_" in u.username}
    assert names(status="none") == {"sun_xin"}
    assert "sun_xin" not in names(status="active") and "member1" in names(status="active")
    assert names(role="member", unit="czj") == set()
    rows = {a.user.username: a for a in accounts.accounts(deployed)}
    assert rows["sun_xin"].is_member and not rows["sun_xin"].has_login and not rows["czj_clerk"].is_member


def test_the_audit_chain_shows_an_edited_entry(deployed, users):
    accounts.create(deployed, users.admin, **CLERK)
    accounts.set_active(deployed, users.admin, users.member1.id, False)
    deployed.commit()
    assert accounts.verify_log(deployed)
    event = log(deployed, "account_disable")[0]
    event.data = {**event.data, "username": "someone_else"}
    deployed.commit()
    assert not accounts.verify_log(deployed)


def test_accounts_on_both_backends(deployed, users, newcomer, both_backends):
    issued = accounts.create(deployed, users.office1, member_id=newcomer.id, role_keys=["member", "sector_group"])
    accounts.update(deployed, users.office1, issued.user.id, unit="czj", role_keys=["member"])
    accounts.set_active(deployed, users.office1, issued.user.id, False)
    deployed.commit()
    assert [e.kind for e in accounts.history(deployed, issued.user)] == [
        "account_disable", "account_update", "account_create"]
    assert accounts.verify_log(deployed)
    assert deployed.scalar(select(Member.active).where(Member.id == newcomer.id))  # 在任 is the roster's, not ours
