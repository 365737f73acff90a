"""What a clerk and a member see and touch, in one pass (issue 13.1–5): a second reply opens with the first one, the
case page lists every round in order, pickers find units and members by pinyin initials by keyboard and by touch
(in repeated groups too), the inbox puts the tasks first on a phone, and the date picker and file input speak the
page's language in an English-locale browser."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine import clock
from engine.models import OpenTask
from engine.runtime import verbs as runtime
from tests.browser.test_worklist import MONDAY, SUBMIT, Arrange

pytestmark = pytest.mark.browser

REPLY = {"contact_method": "面对面", "contact_date": "2026-03-20", "result_class": "A",
         "meeting_attendees": "县财政局张科长、提案人张明", "reply_text": "已列入本年度改造计划。", "agree_publish": True}


class Cases(Arrange):
    def step(self, instance, username: str, bpmn_id: str, data: dict) -> None:
        task = self.session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id,
                                                           OpenTask.bpmn_id == bpmn_id)).one()
        runtime.complete_task(self.session, self.user(username), task.id, data)
        self.session.commit()

    def unsatisfied(self, title: str):
        """Answered by the 财政局 and found 不满意: 重新办理答复 is open."""
        clock.set_now(MONDAY)
        instance = runtime.start_instance(self.session, self.user("member1"), "proposal", {**SUBMIT, "title": title})
        self.session.commit()
        self.step(instance, "tiwei", "review", {"decision": "立案"})
        self.step(instance, "office1", "assign", {"lead_unit": "czj"})
        self.step(instance, "czj_clerk", "accept", {"accept_decision": "签收"})
        self.step(instance, "czj_clerk", "handle", REPLY)
        self.step(instance, "czj_leader", "sign_off", {"sign_decision": "签发"})
        self.step(instance, "member1", "satisfaction", {"satisfaction_work": "满意", "satisfaction": "不满意",
                                                        "satisfaction_comment": "没有说明资金来源。"})
        return instance


def login(new_context, base_url: str, username: str, **options) -> Page:
    page = new_context(base_url=base_url, **options).new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("xieshang")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    return page


def test_revise_pick_and_date_in_an_english_browser_then_the_inbox_on_a_phone(new_context, live_server, tmp_path,
                                                                                 artifacts):
    cases = Cases(tmp_path / "live.db")
    try:
        case = cases.unsatisfied("关于老旧小区改造资金的建议")
        for n in range(3):
            cases.to_assign("member2", f"关于乡村道路养护的建议{n}", at=MONDAY)
    finally:
        cases.close()
    clock.set_now(MONDAY + dt.timedelta(hours=2))

    # 1. 重新办理答复 opens with the first reply; 5. the date picker and the file input are Chinese
    clerk = login(new_context, live_server, "czj_clerk", locale="en-US")
    clerk.get_by_role("link", name="关于老旧小区改造资金的建议").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("重新办理答复")
    expect(clerk.get_by_label("答复内容")).to_have_value("已列入本年度改造计划。")
    expect(clerk.get_by_label("面对面")).to_be_checked()
    date = clerk.get_by_label("沟通日期")
    expect(date).to_have_attribute("type", "text")
    expect(date).to_have_value("2026-03-20")
    assert clerk.locator("input[type=date]").count() == 0
    date.click()
    calendar = clerk.locator(".air-datepicker.-active-")
    expect(calendar).to_be_visible()
    expect(calendar).to_contain_text("三月")
    expect(calendar).not_to_contain_text("March")
    calendar.locator(".air-datepicker-cell.-day-:not(.-other-month-)", has_text=re.compile(r"^25$")).first.click()
    expect(date).to_have_value("2026-03-25")
    clerk.get_by_label("答复内容").fill("已列入本年度改造计划，资金由县财政安排。")
    clerk.get_by_role("button", name="提交").click()
    expect(clerk.locator(".flash")).to_have_text("已提交")

    # 2. the case page: every step in order, both replies and the 不满意 reason kept
    clerk.goto(f"/instances/{case.id}")
    rounds = clerk.locator("#entered .round h3")
    expect(rounds).to_have_text(["提交提案", "审查立案", "交办", "签收", "办理答复", "单位负责人签发", "满意度评价",
                                 "重新办理答复"])
    expect(clerk.locator("#entered .round").nth(4)).to_contain_text("已列入本年度改造计划。")
    expect(clerk.locator("#entered .round").nth(6)).to_contain_text("没有说明资金来源。")
    expect(clerk.locator("#entered .round").nth(7)).to_contain_text("资金由县财政安排")
    upload = clerk.locator("#attachments .file-pick")
    expect(upload.locator(".file-button")).to_have_text("选择文件")
    expect(upload.locator(".file-name")).to_have_text("未选择文件")
    clerk.get_by_label("上传附件").set_input_files({"name": "答复说明.pdf", "mimeType": "application/pdf",
                                                   "buffer": b"%PDF-1.4\n%%EOF\n"})
    expect(upload.locator(".file-name")).to_have_text("答复说明.pdf")
    clerk.screenshot(path=str(artifacts / "clerk-01-case-rounds.png"), full_page=True)

    # 3. pickers by keyboard: a member's 联名委员 by pinyin initials
    member = login(new_context, live_server, "member1", locale="en-US")
    member.goto("/proposals/new")
    cosigners = member.get_by_role("combobox", name="联名委员")
    cosigners.click()
    cosigners.press_sequentially("lf")
    expect(member.locator(".ts-dropdown .option", has_text="刘芳")).to_be_visible()
    member.keyboard.press("Enter")
    expect(member.locator(".ts-wrapper .item", has_text="刘芳")).to_have_count(1)
    expect(member.locator("select[name=cosigners] option:checked")).to_have_attribute("value", "member2")

    # 4. on a phone: tasks first, filters folded, 退出 on one line; 3. a unit picked by touch from pinyin initials
    phone = login(new_context, live_server, "office1", locale="zh-CN", viewport={"width": 375, "height": 740},
                  is_mobile=True, has_touch=True)
    first = phone.locator("table.tasks tbody tr").first
    expect(first).to_be_visible()
    phone.screenshot(path=str(artifacts / "clerk-02-phone-inbox.png"))
    assert first.bounding_box()["y"] < 420, first.bounding_box()  # was 1,048 px down
    expect(phone.locator("details.filter-panel")).not_to_have_attribute("open", "")
    expect(phone.locator(".filters")).to_be_hidden()
    assert phone.locator(".saved-views").bounding_box()["y"] > first.bounding_box()["y"]
    logout = phone.get_by_role("button", name="退出")
    line = float(logout.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert logout.bounding_box()["height"] < 1.5 * line
    phone.locator("details.filter-panel > summary").tap()
    expect(phone.locator(".filters")).to_be_visible()
    phone.screenshot(path=str(artifacts / "clerk-02b-phone-filters.png"), full_page=True)

    phone.get_by_role("link", name="关于乡村道路养护的建议0").tap()
    co_units = phone.get_by_role("combobox", name="会办单位")
    co_units.tap()
    co_units.press_sequentially("wsjk")  # 县卫生健康委员会, code wjw: found by its pinyin initials only
    options = phone.locator(".ts-dropdown .option:visible")
    expect(options).to_have_count(1)
    options.first.tap()
    phone.locator(".field[data-key=lead_unit] .ts-control").tap()
    expect(phone.get_by_role("combobox", name="主办单位")).to_be_focused()
    phone.keyboard.type("教育")
    phone.locator(".ts-dropdown .option:visible", has_text="县教育局").tap()
    phone.screenshot(path=str(artifacts / "clerk-03-phone-picker.png"), full_page=True)
    phone.get_by_role("button", name="提交").tap()
    expect(phone.locator(".flash")).to_have_text("已提交")
    assert _data_of_last_assign(tmp_path) == {"lead_unit": "jyj", "co_units": ["wjw"]}


def _data_of_last_assign(tmp_path) -> dict:
    from engine.models import Event

    cases = Cases(tmp_path / "live.db")
    try:
        event = cases.session.scalars(select(Event).where(Event.bpmn_id == "assign").order_by(Event.id.desc())).first()
        return {k: event.data[k] for k in ("lead_unit", "co_units")}
    finally:
        cases.close()
