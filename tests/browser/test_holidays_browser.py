"""节假日安排 in Chromium: on 1 October the office is told in the inbox that 2027 is missing, follows the link, enters
春节 2027 (a holiday range and an adjusted working Saturday) and saves; the warning is gone and the year is listed.
Every page on the way passes axe-core's WCAG 2.1 AA rules. Screenshots go to test-artifacts/."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from engine import clock

from .axe import assert_accessible
from .person import Person

pytestmark = pytest.mark.browser


class Office(Person):
    prefix = "holidays"


def test_the_office_enters_next_years_holidays_from_the_warning(new_context, live_server, artifacts):
    clock.set_now(dt.datetime(2026, 10, 1, 9, 0, tzinfo=clock.TZ))
    office = Office(new_context, live_server, artifacts, "office1")
    page = office.page
    warning = page.locator(".holiday-missing")
    expect(warning).to_contain_text("2027 年的节假日安排尚未录入")
    assert_accessible(page)
    warning.get_by_role("link", name="去录入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2027 年节假日安排")
    assert_accessible(page)

    page.get_by_label("发文字号").fill("国办发明电〔2026〕12号")
    page.get_by_label("第 1 行名称").fill("春节")
    page.get_by_label("第 1 行开始日期").fill("2027-02-06")
    page.get_by_label("第 1 行结束日期").fill("2027-02-14")
    page.get_by_label("第 2 行类型").select_option(label="调休上班")
    page.get_by_label("第 2 行名称").fill("春节")
    page.get_by_label("第 2 行开始日期").fill("2027-02-17")  # a Wednesday: refused, nothing saved
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".form-error")).to_contain_text("调休上班的日期应是周六或周日")
    office.shot("refused")
    page.get_by_label("第 2 行开始日期").fill("2027-02-20")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".flash-success")).to_contain_text("2027 年节假日安排已保存")
    row = page.locator("table.holiday-years tr", has_text="2027")
    expect(row).to_contain_text("国办发明电〔2026〕12号")
    expect(row).to_contain_text("春节")
    expect(page.locator(".holiday-missing")).to_have_count(0)
    assert_accessible(page)
    office.shot("saved")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="我的待办").click()
    expect(page.locator(".holiday-missing")).to_have_count(0)
