"""账号管理 and 修改密码 pages: who may open them, creating a login for a roster member and a clerk, resets shown once,
roles and unit, deactivation that logs the person out, refusals as Chinese sentences that change nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.people import rosters
from engine.models import Event, User
from engine.people.passwords import check_password
from engine.people.records import Member

from .helpers import scalar, text

CLERK = {"username": "czj_wang", "name": "王静（县财政局）", "unit": "czj", "roles": ["department"]}


@pytest.fixture
def newcomer(db) -> int:
    """A member imported onto the roster, who has no login yet; returns the roster entry's id."""
    member = rosters.save_member(db, {"username": "sun_xin", "name": "孙新", "sector": "经济界", "unit": "czj"})
    db.commit()
    return member.id


def counts(db) -> tuple:
    value = (db.scalar(select(func.count()).select_from(User)), db.scalar(select(func.count()).select_from(Event)),
             tuple(db.execute(select(User.username, User.password_hash, User.active, User.unit_id,
                                     User.must_change_password).order_by(User.id)).tuples().all()))
    db.rollback()
    return value


def user_id(db, username: str) -> int:
    return scalar(db, select(User.id).where(User.username == username))


def issued_password(response) -> str:
    return re.search(r'class="issued-password">([^<]+)<', response.get_data(as_text=True)).group(1)


# ---------------------------------------------------------------- who

@pytest.mark.parametrize("username, status", [("admin", 200), ("office1", 200), ("member1", 403), ("czj_clerk", 403),
                                              ("tiwei", 403)])
def test_only_admin_and_office_open_account_pages(client, auth, db, username, status):
    auth.as_(username)
    target = user_id(db, "member2")
    for path in ("/accounts", "/accounts/new", f"/accounts/{target}"):
        assert client.get(path).status_code == status, path
    page = text(client.get("/inbox"))
    assert ("账号管理" in page) == (status == 200)
    assert "修改密码" in page


def test_anonymous_is_sent_to_login(client):
    response = client.get("/accounts")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.get("/password").status_code == 302


def test_a_non_manager_changes_nothing(client, auth, db):
    auth.as_("member1")
    before = counts(db)
    target = user_id(db, "member2")
    for path, data in (("/accounts/new", CLERK), (f"/accounts/{target}", {"roles": ["admin"]}),
                       (f"/accounts/{target}/password", {}), (f"/accounts/{target}/active", {"active": "0"})):
        response = client.post(path, data=data)
        assert response.status_code == 403 and "只有系统管理员和政协办公室可以管理账号" in text(response), path
    assert counts(db) == before


# ---------------------------------------------------------------- list

def test_list_filters_and_members_without_login(client, auth, newcomer):
    auth.as_("office1")
    page = text(client.get("/accounts"))
    assert "尚未开通账号的委员" in page and "孙新" in page and "sun_xin" in page and "未开通" in page
    assert f'href="/accounts/new?member={newcomer}"' in client.get("/accounts").get_data(as_text=True)
    by_unit = text(client.get("/accounts?unit=czj"))
    assert "czj_clerk" in by_unit and "member1" not in by_unit
    by_role = text(client.get("/accounts?role=supervisor"))
    assert "duban" in by_role and "czj_clerk" not in by_role
    by_text = text(client.get("/accounts?q=张明"))
    assert "member1" in by_text and "member2" not in by_text
    without = client.get("/accounts?status=none").get_data(as_text=True)
    assert ">sun_xin</a>" in without and ">member1</a>" not in without
    assert "没有符合条件的账号" in text(client.get("/accounts?q=nobody-at-all"))


# ---------------------------------------------------------------- create

def test_open_a_login_for_a_roster_member_who_then_logs_in(client, auth, db, newcomer):
    auth.as_("office1")
    form = text(client.get(f"/accounts/new?member={newcomer}"))
    assert "为孙新开通账号" in form and "sun_xin" in form
    response = client.post(f"/accounts/new?member={newcomer}", data={"roles": ["member"], "mode": "generate"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = issued_password(response)
    assert "只显示这一次" in text(response)
    assert "尚未开通账号的委员" not in text(client.get("/accounts"))
    history = text(client.get(f"/accounts/{user_id(db, 'sun_xin')}"))
    assert "开通账号 王秀英（政协办公室） 姓名：孙新" in history and "（自动生成密码）" in history
    assert "委员 → 委员" not in history and password not in history

    auth.logout()
    response = auth.login("sun_xin", password)
    assert response.status_code == 302
    assert client.get("/inbox").location == "/password"  # the given password is changed first
    assert "请先改成只有您自己知道的密码" in text(client.get("/password"))
    response = client.post("/password", data={"current": password, "new": "sunxin-2026", "again": "sunxin-2026"})
    assert response.status_code == 302 and response.location == "/inbox"
    page = text(client.get("/inbox"))
    assert "我的待办" in page and "孙新" in page and "提交提案" in page


def test_create_a_clerk_with_a_chosen_password(client, auth, db):
    auth.as_("office1")
    response = client.post("/accounts/new", data={**CLERK, "mode": "set", "password": "caizheng-01",
                                                  "confirm": "caizheng-01"})
    assert response.status_code == 302
    new_id = user_id(db, "czj_wang")
    assert response.location == f"/accounts/{new_id}"
    page = text(client.get(response.location))
    assert "首次登录时须修改密码" in page and "开通账号" in page and "承办单位" in page and "县财政局" in page
    assert "caizheng-01" not in client.get(response.location).get_data(as_text=True)
    auth.logout()
    assert auth.login("czj_wang", "caizheng-01").status_code == 302


@pytest.mark.parametrize("change, words", [
    ({"username": "member1"}, "用户名“member1”已被使用"),
    ({"username": "MEMBER1"}, "用户名“MEMBER1”已被使用"),
    ({"username": "王静"}, "用户名“王静”无效"),
    ({"roles": ["department", "king"]}, "没有这个角色：king"),
    ({"roles": []}, "请至少选择一个角色"),
    ({"unit": "nowhere"}, "单位“nowhere”不存在"),
    ({"unit": ""}, "承办单位经办人须选择所在单位"),
    ({"name": ""}, "姓名不能为空"),
    ({"mode": "set", "password": "short", "confirm": "short"}, "密码至少 8 个字符"),
    ({"mode": "set", "password": "", "confirm": ""}, "密码至少 8 个字符"),
    ({"mode": "set", "username": "czj_wang01", "password": "czj_wang01", "confirm": "czj_wang01"}, "密码不能与用户名相同"),
    ({"mode": "set", "password": "caizheng-01", "confirm": "caizheng-02"}, "两次输入的密码不一致"),
])
def test_bad_input_is_422_with_a_sentence_and_changes_nothing(client, auth, db, change, words):
    auth.as_("office1")
    before = counts(db)
    response = client.post("/accounts/new", data={**CLERK, **change})
    assert response.status_code == 422
    assert words in text(response) and "填写的内容有误" in text(response)
    assert counts(db) == before


def test_the_office_cannot_make_an_administrator(client, auth, db):
    auth.as_("office1")
    before = counts(db)
    response = client.post("/accounts/new", data={**CLERK, "roles": ["department", "admin"]})
    assert response.status_code == 403 and "只有系统管理员可以授予" in text(response)
    admin = user_id(db, "admin")
    response = client.post(f"/accounts/{admin}/password", data={})
    assert response.status_code == 403 and "只有系统管理员可以修改" in text(response)
    assert counts(db) == before


def test_a_member_with_a_login_is_not_opened_twice(client, auth, db):
    auth.as_("office1")
    member_id = scalar(db, select(Member.id).join(Member.user).where(User.username == "member1"))
    before = counts(db)
    response = client.post(f"/accounts/new?member={member_id}", data={"roles": ["member"]})
    assert response.status_code == 409 and "已有账号" in text(response)
    assert client.get("/accounts/new?member=99999").status_code == 404
    assert client.get("/accounts/99999").status_code == 404
    assert counts(db) == before


# ---------------------------------------------------------------- change

def test_change_roles_and_unit_shows_in_the_history(client, auth, db):
    auth.as_("office1")
    clerk = user_id(db, "czj_clerk")
    response = client.post(f"/accounts/{clerk}", data={"name": "县财政局经办人", "unit": "fgw",
                                                       "roles": ["department", "committee"]})
    assert response.status_code == 302
    page = text(client.get(f"/accounts/{clerk}"))
    assert "修改角色或单位" in page and "王秀英（政协办公室）" in page
    assert "单位：县财政局 → 县发展和改革委员会" in page and "角色：承办单位 → 专门委员会、承办单位" in page
    before = counts(db)
    response = client.post(f"/accounts/{clerk}", data={"unit": "nowhere", "roles": ["department"]})
    assert response.status_code == 422 and "单位“nowhere”不存在" in text(response)
    assert counts(db) == before


def test_a_manager_cannot_drop_their_own_management_role(client, auth, db):
    auth.as_("office1")
    me = user_id(db, "office1")
    response = client.post(f"/accounts/{me}", data={"unit": "zxb", "roles": ["member"]})
    assert response.status_code == 409 and "不能取消自己的“政协办公室”角色" in text(response)


def test_reset_a_password_shown_once(client, auth, db):
    auth.as_("office1")
    member = user_id(db, "member2")
    response = client.post(f"/accounts/{member}/password", data={"mode": "generate"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = issued_password(response)
    page = client.get(f"/accounts/{member}").get_data(as_text=True)
    assert password not in page and "重置密码" in page and "自动生成密码" in page
    auth.logout()
    assert auth.login("member2").status_code == 401
    assert auth.login("member2", password).status_code == 302
    assert client.get("/proposals/new").location == "/password"


def test_reset_refuses_a_weak_password(client, auth, db):
    auth.as_("office1")
    member = user_id(db, "member2")
    before = counts(db)
    response = client.post(f"/accounts/{member}/password", data={"mode": "set", "password": "1234567",
                                                                  "confirm": "1234567"})
    assert response.status_code == 422 and "密码至少 8 个字符" in text(response)
    assert counts(db) == before


def test_deactivation_logs_the_person_out_and_reactivation_lets_them_back(app, auth, db):
    clerk = app.test_client()
    clerk.post("/login", data={"username": "czj_clerk", "password": "xieshang"})
    assert clerk.get("/inbox").status_code == 200
    auth.as_("office1")
    target = user_id(db, "czj_clerk")
    response = auth.client.post(f"/accounts/{target}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "已停用" in text(auth.client.get(f"/accounts/{target}"))
    assert clerk.get("/inbox").location.startswith("/login")  # logged out on the next request
    assert clerk.post("/login", data={"username": "czj_clerk", "password": "xieshang"}).status_code == 401
    auth.client.post(f"/accounts/{target}/active", data={"active": "1"})
    assert clerk.post("/login", data={"username": "czj_clerk", "password": "xieshang"}).status_code == 302
    page = text(auth.client.get(f"/accounts/{target}"))
    assert "停用" in page and "重新启用" in page


def test_an_administrator_cannot_deactivate_themselves(client, auth, db):
    auth.as_("admin")
    me = user_id(db, "admin")
    assert "不能停用自己的账号" in text(client.get(f"/accounts/{me}"))
    response = client.post(f"/accounts/{me}/active", data={"active": "0"})
    assert response.status_code == 409 and "不能停用自己的账号" in text(response)
    assert scalar(db, select(User.active).where(User.id == me))
    assert client.get("/inbox").status_code == 200


# ---------------------------------------------------------------- 修改密码

def test_change_own_password(client, auth, db):
    auth.as_("czj_clerk")
    assert "当前密码" in text(client.get("/password"))
    before = counts(db)
    for data, words in ((("wrong-one", "newpass-2026", "newpass-2026"), "当前密码不正确"),
                        (("xieshang", "newpass-2026", "newpass-2027"), "两次输入的新密码不一致"),
                        (("xieshang", "czj_clerk", "czj_clerk"), "密码不能与用户名相同"),
                        (("xieshang", "short", "short"), "密码至少 8 个字符")):
        response = client.post("/password", data=dict(zip(("current", "new", "again"), data)))
        assert response.status_code == 422 and words in text(response), words
    assert counts(db) == before
    response = client.post("/password", data={"current": "xieshang", "new": "newpass-2026", "again": "newpass-2026"})
    assert response.status_code == 302 and response.location == "/inbox"
    assert "密码已修改" in text(client.get("/inbox"))
    assert check_password(scalar(db, select(User.password_hash).where(User.username == "czj_clerk")), "newpass-2026")


# ---------------------------------------------------------------- CSRF, English

def test_account_changes_need_the_csrf_token(client, auth, db):
    auth.as_("office1")
    client.application.config["WTF_CSRF_ENABLED"] = True
    before = counts(db)
    target = user_id(db, "member2")
    for path, data in (("/accounts/new", CLERK), (f"/accounts/{target}/password", {}),
                       (f"/accounts/{target}/active", {"active": "0"}), ("/password", {})):
        assert client.post(path, data=data).status_code == 400, path
    assert counts(db) == before
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/accounts/new").get_data(as_text=True))
    response = client.post("/accounts/new", data={**CLERK, "csrf_token": token.group(1)})
    assert response.status_code == 200 and issued_password(response)


def test_account_pages_in_english(client, auth, db, newcomer):
    auth.as_("admin")
    page = text(client.get("/accounts?lang=en"))
    assert "Accounts" in page and "账号管理" not in page and "Members without an account" in page
    assert "Change password" in text(client.get(f"/accounts/{user_id(db, 'member2')}"))
