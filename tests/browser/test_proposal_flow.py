"""提案办理 end to end in Chromium, each step by the person whose job it is."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .person import Person as BrowserPerson, pick

pytestmark = pytest.mark.browser

TITLE = "关于加快城区老旧小区改造的建议"


class Person(BrowserPerson):
    prefix, title = "proposal", TITLE

    def submit_task(self) -> None:
        self.page.get_by_role("button", name="提交").click()
        expect(self.page).to_have_url(re.compile(r"/inbox$"))
        expect(self.page.locator(".flash")).to_have_text("已提交")


def test_proposal_from_submission_to_archive(new_context, live_server, artifacts):
    def person(username: str) -> Person:
        return Person(new_context, live_server, artifacts, username)

    # 委员提交提案 (no cosigners)
    member1 = person("member1")
    page = member1.page
    page.get_by_role("link", name="提交提案").click()
    page.get_by_label("提案标题").fill(TITLE)
    pick(page.get_by_role("combobox", name="类别"), "社会")
    page.get_by_label("案由").fill("城区老旧小区管网老化，居民反映强烈。")
    page.get_by_label("建议").fill("一、摸清底数；二、分年度实施；三、引入社会资本。")
    member1.shot("01-submit-form")
    page.get_by_role("button", name="提交提案").click()
    expect(page.locator(".flash")).to_have_text("提案已提交")
    expect(page.locator(".open-steps")).to_contain_text("审查立案")
    member1.shot("02-submitted")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("link", name="我的提案").click()
    expect(page.locator("table.proposals")).to_contain_text("待审查")

    # An unrelated member and a clerk see nothing of it
    expect(person("member2").page.locator(".empty")).to_have_text("暂无待办事项。")

    # 提案委员会 立案
    tiwei = person("tiwei")
    tiwei.open_task("审查立案")
    readonly = tiwei.page.locator("section.readonly")
    expect(readonly).to_contain_text(TITLE)
    expect(readonly).to_contain_text("张明（委员）")
    tiwei.page.get_by_label("立案", exact=True).check()
    # 重点提案: the leaders' pickers appear once it is marked key
    expect(tiwei.page.get_by_label("领办领导（县政府领导）")).to_be_hidden()
    tiwei.page.get_by_label("重点提案").check()
    pick(tiwei.page.get_by_role("combobox", name="领办领导（县政府领导）"), "lingdao")
    pick(tiwei.page.get_by_role("combobox", name="督办领导（政协主席、副主席）"), "zhuxi")
    tiwei.shot("03-review")
    tiwei.submit_task()
    expect(tiwei.page.locator("table.tasks")).to_have_count(0)

    # 政协办公室 交办 to 财政局
    office1 = person("office1")
    office1.open_task("交办")
    expect(office1.page.locator("section.readonly")).to_contain_text("城区老旧小区管网老化")
    pick(office1.page.get_by_role("combobox", name="主办单位"), "czj")
    office1.page.get_by_label("交办意见").fill("请财政局主办。")
    office1.shot("04-assign")
    office1.submit_task()

    # another unit's clerk does not get it
    expect(person("fgw_clerk").page.locator(".empty")).to_have_text("暂无待办事项。")

    # 承办单位 签收, then 办理答复 class A
    czj = person("czj_clerk")
    czj.open_task("签收")
    expect(czj.page.locator("section.readonly")).to_contain_text("请财政局主办。")
    czj.page.get_by_label("签收", exact=True).check()
    czj.submit_task()

    # 领办: the county government leader convenes and records the meeting
    lingdao = person("lingdao")
    lingdao.open_task("领办（面商）会")
    lingdao.page.get_by_label("会议日期").fill("2026-03-10")
    pick(lingdao.page.get_by_role("combobox", name="参会单位"), ["czj"])
    lingdao.page.get_by_label("议定事项").fill("明确资金来源和改造时序。")
    lingdao.shot("05a-lead-meeting")
    lingdao.submit_task()

    czj.open_task("办理答复")
    czj.page.get_by_label("面对面").check()
    czj.page.get_by_label("沟通日期").fill("2026-03-20")
    czj.page.get_by_label("面商参加人员").fill("县财政局张科长、提案人张明")
    czj.page.get_by_label("A 已解决或采纳").check()
    czj.page.get_by_label("答复内容").fill("已列入本年度改造计划，首批 12 个小区已开工。")
    czj.shot("05-reply")
    czj.submit_task()

    # 单位负责人 sends it back once, then signs the revised reply off
    leader = person("czj_leader")
    leader.open_task("单位负责人签发")
    expect(leader.page.locator("section.readonly")).to_contain_text("首批 12 个小区已开工")
    leader.page.get_by_label("退回修改", exact=True).check()
    leader.page.get_by_label("修改意见").fill("请写明资金安排")
    leader.submit_task()
    czj.open_task("修改答复")
    expect(czj.page.locator("section.readonly")).to_contain_text("请写明资金安排")
    czj.page.get_by_label("面对面").check()
    czj.page.get_by_label("沟通日期").fill("2026-03-20")
    czj.page.get_by_label("面商参加人员").fill("县财政局张科长、提案人张明")
    czj.page.get_by_label("A 已解决或采纳").check()
    czj.page.get_by_label("答复内容").fill("已列入本年度改造计划，首批 12 个小区已开工，县财政安排 300 万元。")
    czj.submit_task()
    leader.open_task("单位负责人签发")
    leader.page.get_by_label("同意签发").check()
    leader.shot("05b-sign-off")
    leader.submit_task()

    # 督办: the CPPCC chair reviews the reply before the proposer gets it
    zhuxi = person("zhuxi")
    zhuxi.open_task("督办领导审核答复")
    expect(zhuxi.page.locator("section.readonly")).to_contain_text("300 万元")
    zhuxi.page.get_by_label("同意答复").check()
    zhuxi.shot("05c-oversight")
    zhuxi.submit_task()

    # 委员 满意
    member1.open_task("满意度评价")
    readonly = member1.page.locator("section.readonly")
    expect(readonly).to_contain_text("A 已解决或采纳")
    expect(readonly).to_contain_text("首批 12 个小区已开工")
    expect(readonly).to_contain_text("县财政局")
    member1.page.get_by_role("group", name=re.compile("办理工作")).get_by_label("满意", exact=True).check()
    member1.page.get_by_role("group", name=re.compile("办理结果")).get_by_label("满意", exact=True).check()
    member1.shot("06-satisfaction")
    member1.submit_task()

    # 政协办公室 归档公开
    office1.open_task("归档公开")
    expect(office1.page.get_by_label("公开提案")).to_be_checked()
    expect(office1.page.get_by_label("公开答复")).to_be_checked()
    office1.shot("07-archive")
    office1.submit_task()

    # what the member sees at the end
    page = member1.page
    page.get_by_role("link", name="我的提案").click()
    expect(page.locator("table.proposals")).to_contain_text("已办结")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator(".meta")).to_contain_text("已办结")
    history = page.locator("section.history")
    for text in ("提交提案", "审查立案", "交办", "签收", "办理答复", "满意度评价", "归档公开",
                 "审查结论", "立案", "主办单位", "县财政局", "A 已解决或采纳", "满意", "领办（面商）会",
                 "孙立（分管副县长）", "吴海（政协主席）", "单位负责人签发", "督办领导审核答复", "对办理工作的评价"):
        expect(history).to_contain_text(text)
    expect(page.locator(".open-steps")).to_contain_text("没有待办理的步骤")
    member1.shot("08-done")
