"""社情民意信息 end to end in Chromium: a member's submission → screening → 政协信息 issue → 报送, 阅批 → the
feedback the member sees on 我的社情民意."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .person import Person as BrowserPerson, pick

pytestmark = pytest.mark.browser

TITLE = "东风镇村道破损影响春耕运输"
FEEDBACK = "县委钱进副书记已阅，交通部门已安排修复，谢谢您的反映。"


class Person(BrowserPerson):
    prefix, title = "sheqing", TITLE

    def submit_task(self) -> None:
        self.page.get_by_role("button", name="提交", exact=True).click()
        expect(self.page).to_have_url(re.compile(r"/inbox"))
        expect(self.page.locator(".flash")).to_have_text("已提交")


def test_sheqing_from_submission_to_the_feedback_the_member_sees(new_context, live_server, artifacts):
    def person(username: str) -> Person:
        return Person(new_context, live_server, artifacts, username)

    # 委员报送
    member = person("member1")
    page = member.page
    page.get_by_role("link", name="社情民意").click()
    page.get_by_role("link", name="报送社情民意").click()
    page.get_by_label("标题").fill(TITLE)
    pick(page.get_by_role("combobox", name="类别"), "社会")
    page.get_by_label("情况和问题").fill("东风镇三条村道破损严重，春耕农资运输困难。")
    page.get_by_label("意见建议").fill("列入今年农村公路养护计划。")
    page.get_by_label("群众反映").check()
    member.shot("01-submit")
    page.get_by_role("button", name="报送").click()
    expect(page.locator(".flash")).to_have_text("社情民意已报送")
    expect(page.locator("table.sheqing")).to_contain_text("待筛选")

    # 政协办公室 筛选编辑 → 采用
    office = person("office1")
    office.open_task("筛选编辑")
    expect(office.page.locator("section.readonly")).to_contain_text("东风镇三条村道破损严重")
    office.page.get_by_label("采用", exact=True).check()
    office.page.get_by_label("编辑后标题").fill("关于修复东风镇村道的建议")
    office.shot("02-screen")
    office.submit_task()

    # 编入政协信息 第3期
    office.open_task("编入政协信息")
    office.page.get_by_label("期号").fill("3")
    office.submit_task()
    member.page.goto("/sheqing")
    expect(member.page.locator("table.sheqing")).to_contain_text("年第3期")

    # 协商成果: 报送县委办公室 → 登记呈阅 → 领导阅批 → 反馈
    office.open_task("报送成果")
    office.page.get_by_label("成果文号").fill("政协信息〔2026〕3号")
    office.page.get_by_label("报送日期").fill("2026-03-05")
    office.page.get_by_label("报送县政府办公室").uncheck()
    office.submit_task()
    xwb = person("xwb_clerk")
    xwb.open_task("登记呈阅（县委）")
    xwb.page.get_by_label("收文日期").fill("2026-03-06")
    xwb.page.get_by_label("呈阅领导").fill("钱进副书记")
    xwb.submit_task()
    leader = person("xwlingdao")
    leader.open_task("领导阅批（县委）")
    leader.page.get_by_label("阅批日期").fill("2026-03-09")
    leader.page.get_by_label("阅批领导").fill("钱进")
    leader.submit_task()
    office.open_task("反馈办理情况")
    office.page.get_by_label("反馈日期").fill("2026-03-20")
    office.page.get_by_label("系统通知").check()
    office.page.get_by_label("反馈内容").fill(FEEDBACK)
    office.shot("03-feedback")
    office.submit_task()

    # what the member sees
    page = member.page
    page.goto("/sheqing")
    row = page.locator("table.sheqing tr", has_text=TITLE)
    expect(row).to_contain_text("已反馈")
    expect(row.locator(".fed-back")).to_contain_text(FEEDBACK)
    member.shot("04-member-sees-feedback")
    page.get_by_role("link", name="我的履职").click()
    expect(page.locator("table.duty-items tr", has_text="报送社情民意")).to_contain_text("已完成")
