"""The office opens a session on the roster and names a body's contact person; the contact person submits a
collective proposal, which takes the session's number; the register shows it per session as the body's."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from engine import clock

from .axe import assert_accessible
from .person import Person, pick

pytestmark = pytest.mark.browser
TITLE = "关于扶持县域小微企业融资的建议"


def test_office_opens_a_session_and_a_body_submits_through_its_contact(new_context, live_server, artifacts):
    today = dt.datetime.now(clock.TZ).date().isoformat()
    office = Person(new_context, live_server, artifacts, "office1")
    page = office.page
    page.get_by_role("link", name="委员名册").click()
    page.get_by_role("link", name="会议届次").click()
    page.get_by_label("第几届").fill("10")
    page.get_by_label("第几次会议").fill("3")
    page.get_by_label("大会开幕日期").fill(today)
    page.get_by_label("大会闭幕日期").fill(today)
    page.get_by_label("提案编号格式").fill("{届}{次}-{序号}")
    assert_accessible(page)
    page.get_by_role("button", name="开会议").click()
    expect(page.locator("table.sessions")).to_contain_text("第十届第三次会议")
    expect(page.locator("table.sessions")).to_contain_text("103-001")
    page.get_by_role("link", name="集体提案单位").click()
    page.get_by_label("单位", exact=True).select_option("gsl")
    page.get_by_label("联系人", exact=True).select_option("member3")
    assert_accessible(page)
    page.get_by_role("button", name="保存").click()
    expect(page.locator('tr[data-body="gsl"]')).to_contain_text("陈伟")

    contact = Person(new_context, live_server, artifacts, "member3")
    page = contact.page
    page.get_by_role("link", name="提交提案").click()
    page.get_by_label("提案标题").fill(TITLE)
    pick(page.get_by_role("combobox", name="类别"), "经济")
    page.get_by_label("案由").fill("小微企业融资难、融资贵。")
    page.get_by_label("建议").fill("设立县级转贷应急资金。")
    page.get_by_label("提出单位（集体提案）").select_option("gsl")
    assert_accessible(page)
    page.get_by_role("button", name="提交提案").click()
    expect(page.locator(".flash")).to_have_text("提案已提交")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    page = office.page
    page.goto("/proposals/register")
    page.get_by_label("会议", exact=True).select_option(label="第十届第三次会议")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.register tbody tr", has_text=TITLE)
    expect(row).to_contain_text("103-001")
    expect(row).to_contain_text("会议期间")
    expect(row).to_contain_text(re.compile(r"县工商业联合会\s*集体提案"))
    office.shot("proposal-origin-register")
