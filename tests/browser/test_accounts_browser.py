"""账号管理 in Chromium: the administrator opens an account for a member imported onto the roster (who already has a
联名确认 waiting), the member logs in with the generated password, must change it, then finds the task in the inbox;
deactivated, the member is logged out at the next click. Screenshots go to test-artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine import db as engine_db
from engine.people import rosters
from engine.runtime import verbs as runtime
from engine.models import User

from .person import Person

pytestmark = pytest.mark.browser

TITLE = "关于开通农村客运班线的建议"
SUBMIT = {"title": TITLE, "category": "社会", "content": "部分行政村至今不通客车，群众出行不便。",
          "suggestion": "分批开通农村客运班线。", "cosigners": ["sun_xin"]}


@pytest.fixture
def newcomer(live_server, tmp_path):
    """孙新, imported onto the roster without a login, asked by member1 to co-sign a proposal."""
    engine = engine_db.make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        with engine_db.make_sessionmaker(engine)() as session:
            rosters.save_member(session, {"username": "sun_xin", "name": "孙新", "sector": "经济界", "unit": "czj",
                                          "term": "第十一届"})
            member1 = session.scalars(select(User).where(User.username == "member1")).one()
            runtime.start_instance(session, member1, "proposal", SUBMIT)
            session.commit()
    finally:
        engine.dispose()


class Admin(Person):
    prefix = "accounts"


def test_admin_opens_an_account_and_the_member_finds_their_inbox(new_context, live_server, newcomer, artifacts):
    admin = Admin(new_context, live_server, artifacts, "admin")
    page = admin.page
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="账号管理").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("账号管理")
    waiting = page.locator("table.waiting tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("sun_xin")
    admin.shot("1-list")

    page.get_by_role("link", name="为孙新开通账号").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("为孙新开通账号")
    expect(page.get_by_role("checkbox", name="委员", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="自动生成（只显示一次）")).to_be_checked()
    page.get_by_role("button", name="开通账号").click()
    expect(page.get_by_role("status").first).to_contain_text("已为孙新开通账号")
    password = page.locator(".issued-password").inner_text().strip()
    assert len(password) >= 8
    admin.shot("2-password-shown-once")

    member = new_context(base_url=live_server, locale="zh-CN").new_page()
    member.goto("/login")
    member.get_by_label("用户名").fill("sun_xin")
    member.get_by_label("密码").fill(password)
    member.get_by_role("button", name="登录").click()
    expect(member).to_have_url(re.compile(r"/password$"))
    expect(member.get_by_role("status")).to_contain_text("请先改成只有您自己知道的密码")
    member.goto("/inbox")  # nothing else opens until the password is the member's own
    expect(member).to_have_url(re.compile(r"/password$"))
    member.get_by_label("当前密码").fill(password)
    member.get_by_label("新密码", exact=True).fill("sunxin-own-2026")
    member.get_by_label("再次输入新密码").fill("sunxin-own-2026")
    member.get_by_role("button", name="修改密码").click()
    expect(member).to_have_url(re.compile(r"/inbox$"))
    expect(member.locator(".user-name")).to_have_text("孙新")
    task = member.locator("table.tasks tr", has_text=TITLE)
    expect(task).to_have_count(1)
    expect(task).to_contain_text("联名确认")
    member.screenshot(path=str(artifacts / "accounts-3-member-inbox.png"), full_page=True)

    page.goto("/accounts?status=none")
    expect(page.locator("table.waiting")).to_have_count(0)
    page.get_by_label("搜索").fill("孙新")
    page.get_by_label("状态").select_option("active")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.accounts tbody tr")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="sun_xin").click()
    expect(page.locator("table.account-history")).to_contain_text("开通账号")
    expect(page.locator("table.account-history")).to_contain_text("本人修改密码")
    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_role("status").first).to_contain_text("已停用孙新的账号")
    admin.shot("4-deactivated")

    member.reload()
    expect(member).to_have_url(re.compile(r"/login"))
