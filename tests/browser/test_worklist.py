"""The clerk's worklist in Chromium: claim → complete, reassign, a saved view shared with the unit, the three-colour
due status under a frozen clock, phone width and keyboard use. Screenshots go to test-artifacts/."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine import clock, db as engine_db
from engine.runtime import verbs as runtime
from engine.models import OpenTask, User
from tests.browser.person import pick

pytestmark = pytest.mark.browser

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.TZ)
SUBMIT = {"category": "社会", "content": "城区老旧小区管网老化，居民反映强烈。", "suggestion": "分年度实施。"}


class Arrange:
    """Writes to the live server's database through the engine, as earlier days' work would have."""

    def __init__(self, path) -> None:
        self.engine = engine_db.make_engine(f"sqlite:///{path}")
        self.session = engine_db.make_sessionmaker(self.engine)()

    def user(self, username: str) -> User:
        return self.session.scalars(select(User).where(User.username == username)).one()

    def to_assign(self, member: str, title: str, *, at: dt.datetime, key: bool = False) -> None:
        """Submitted and 立案 at `at`: the 交办 is then due 5 working days later."""
        clock.set_now(at)
        instance = runtime.start_instance(self.session, self.user(member), "proposal", {**SUBMIT, "title": title})
        review = self.session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)).one()
        leaders = {"lead_leader": "lingdao", "oversight_leader": "zhuxi"} if key else {}
        runtime.complete_task(self.session, self.user("tiwei"), review.id, {"decision": "立案", "is_key": key, **leaders})
        self.session.commit()

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()


@pytest.fixture
def arrange(live_server, tmp_path):
    helper = Arrange(tmp_path / "live.db")
    yield helper
    helper.close()


def login(new_context, base_url: str, username: str, **options) -> Page:
    page = new_context(base_url=base_url, locale="zh-CN", **options).new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("xieshang")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    return page


def tab(page: Page, name: str):
    return page.get_by_role("navigation", name="待办视图").get_by_role("link", name=re.compile(f"^{name}"))


def row(page: Page, title: str):
    return page.locator("table.tasks tbody tr", has_text=title)


def test_claim_then_complete_and_a_colleague_is_kept_out(new_context, live_server, arrange, artifacts):
    arrange.to_assign("member1", "关于城区停车难的建议", at=MONDAY)
    clock.set_now(MONDAY + dt.timedelta(hours=1))
    office1 = login(new_context, live_server, "office1")
    tab(office1, "待认领").click()
    line = row(office1, "关于城区停车难的建议")
    expect(line).to_contain_text("待认领")
    line.get_by_role("button", name="认领").click()
    expect(office1.locator(".flash")).to_contain_text("已认领")
    expect(office1.locator(".empty")).to_have_text("暂无可认领的事项。")
    tab(office1, "我的待办").click()
    expect(row(office1, "关于城区停车难的建议")).to_contain_text("我已认领")
    task_url = row(office1, "关于城区停车难的建议").get_by_role("link", name="关于城区停车难的建议").get_attribute("href")
    office1.screenshot(path=str(artifacts / "worklist-01-claimed.png"), full_page=True)

    office2 = login(new_context, live_server, "office2")
    expect(office2.locator(".empty")).to_have_text("暂无待办事项。")
    office2.goto(task_url)
    expect(office2.locator(".error-page")).to_contain_text("只有认领人可以办理")

    office1.get_by_role("link", name="关于城区停车难的建议").click()
    expect(office1.locator(".work-panel")).to_contain_text("您已认领此事项")
    pick(office1.get_by_role("combobox", name="主办单位"), "czj")
    office1.get_by_role("button", name="提交").click()
    expect(office1.locator(".flash")).to_have_text("已提交")
    tab(office1, "已办").click()
    expect(row(office1, "关于城区停车难的建议")).to_contain_text("交办")


def test_reassign_to_a_colleague_who_is_notified(new_context, live_server, arrange, artifacts):
    arrange.to_assign("member2", "关于农村饮水安全的建议", at=MONDAY)
    clock.set_now(MONDAY + dt.timedelta(hours=1))
    office1 = login(new_context, live_server, "office1")
    row(office1, "关于农村饮水安全的建议").get_by_role("link", name="转办/委托").click()
    expect(office1.get_by_role("heading", level=1)).to_have_text("转办或委托")
    office1.get_by_label("本单位同事").select_option(label="钱敏（政协办公室）")
    office1.get_by_label("转办：交给同事办理").check()
    office1.screenshot(path=str(artifacts / "worklist-02-reassign.png"), full_page=True)
    office1.get_by_role("button", name="确定").click()
    expect(office1.locator(".flash")).to_have_text("已转办给同事。")
    expect(row(office1, "关于农村饮水安全的建议")).to_have_count(0)

    office2 = login(new_context, live_server, "office2")
    expect(office2.locator(".mainnav")).to_contain_text(re.compile(r"通知\s*2"))  # the new task, then the handover
    tab(office2, "我的待办").click()
    expect(row(office2, "关于农村饮水安全的建议")).to_contain_text("我已认领")
    office2.get_by_role("link", name=re.compile("^通知")).click()
    expect(office2.locator(".notices")).to_contain_text("转办给您")
    expect(office2.locator(".notices")).to_contain_text("王秀英（政协办公室）")
    office2.screenshot(path=str(artifacts / "worklist-03-notifications.png"), full_page=True)


def test_a_saved_view_shared_with_the_unit_is_seen_by_a_colleague(new_context, live_server, arrange, artifacts):
    arrange.to_assign("member1", "关于优化营商环境的重点建议", at=MONDAY, key=True)
    arrange.to_assign("member2", "关于增设公交线路的建议", at=MONDAY)
    clock.set_now(MONDAY + dt.timedelta(hours=1))
    office1 = login(new_context, live_server, "office1")
    office1.get_by_label("只看重点提案").check()
    office1.get_by_role("button", name="筛选").click()
    expect(office1.locator("table.tasks tbody tr")).to_have_count(1)
    office1.get_by_text("保存当前视图").click()
    office1.get_by_label("视图名称").fill("重点提案交办")
    office1.get_by_label("共享给本单位（县政协办公室）").check()
    office1.get_by_role("button", name="保存视图").click()
    expect(office1.locator(".flash")).to_have_text("视图“重点提案交办”已保存。")
    expect(office1.locator(".saved-views")).to_contain_text("已共享给本单位")

    office2 = login(new_context, live_server, "office2")
    views = office2.locator(".saved-views")
    expect(views).to_contain_text("王秀英（政协办公室） 共享")
    views.get_by_role("link", name="重点提案交办").click()
    expect(office2.locator(".saved-banner")).to_contain_text("重点提案交办")
    expect(office2.locator("table.tasks tbody tr")).to_have_count(1)
    expect(row(office2, "关于优化营商环境的重点建议")).to_contain_text("重点")
    office2.screenshot(path=str(artifacts / "worklist-04-shared-view.png"), full_page=True)

    czj = login(new_context, live_server, "czj_clerk")
    expect(czj.locator(".saved-views")).not_to_contain_text("重点提案交办")


def test_three_colour_due_status_with_a_frozen_clock_at_desktop_and_phone_width(new_context, live_server, arrange,
                                                                              artifacts):
    arrange.to_assign("member1", "甲：逾期的建议", at=MONDAY)  # 交办 due Monday 9 March
    arrange.to_assign("member2", "乙：快到期的建议", at=MONDAY + dt.timedelta(days=2))  # due Wednesday 11 March
    arrange.to_assign("member3", "丙：刚到的建议", at=MONDAY + dt.timedelta(days=8))  # due Tuesday 17 March
    clock.set_now(MONDAY + dt.timedelta(days=8, hours=1))  # Tuesday 10 March, as the live server sees it
    office1 = login(new_context, live_server, "office1")
    expect(row(office1, "甲：逾期的建议").locator(".due")).to_have_text(re.compile(r"已逾期 · 超 1 个工作日"))
    expect(row(office1, "乙：快到期的建议").locator(".due")).to_have_text(re.compile(r"即将到期 · 剩 1 个工作日"))
    expect(row(office1, "丙：刚到的建议").locator(".due")).to_have_text(re.compile("正常"))
    overdue = row(office1, "甲：逾期的建议").locator(".due")
    assert overdue.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(183, 28, 28)"
    office1.screenshot(path=str(artifacts / "worklist-05-due-status.png"), full_page=True)
    office1.get_by_label("期限").select_option("soon")
    office1.get_by_role("button", name="筛选").click()
    expect(office1.locator("table.tasks tbody tr")).to_have_count(1)

    phone = login(new_context, live_server, "office1", viewport={"width": 375, "height": 740}, is_mobile=True)
    expect(phone.locator("table.tasks thead")).to_be_hidden()  # rows become cards
    card = row(phone, "甲：逾期的建议")
    due_cell = card.locator("td.due-cell")
    assert "办理期限" in due_cell.evaluate("e => getComputedStyle(e, '::before').content")  # each value labelled
    box = card.bounding_box()
    assert box is not None and box["width"] <= 375
    phone.screenshot(path=str(artifacts / "worklist-06-phone.png"), full_page=True)


def test_keyboard_alone_skip_link_focus_and_claim(new_context, live_server, arrange, artifacts):
    arrange.to_assign("member1", "关于社区养老服务的建议", at=MONDAY)
    clock.set_now(MONDAY + dt.timedelta(hours=1))
    page = login(new_context, live_server, "office1")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    assert skip.evaluate("e => e.getBoundingClientRect().top") >= 0  # shown when focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    search = page.get_by_label("搜索")
    search.focus()
    assert search.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"  # a visible focus ring
    page.keyboard.type("养老")
    page.keyboard.press("Enter")  # submits the filter form
    expect(page).to_have_url(re.compile(r"q=%E5%85%BB%E8%80%81"))
    claim = row(page, "关于社区养老服务的建议").get_by_role("button", name="认领")
    claim.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("已认领")
    expect(row(page, "关于社区养老服务的建议")).to_contain_text("我已认领")
    page.screenshot(path=str(artifacts / "worklist-07-keyboard.png"), full_page=True)
