"""A demo user in a browser context of their own: log in, open a task of the case under test, take screenshots."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect


class Person:
    prefix = "browser"  # screenshot file prefix
    title = ""  # the case's title, as the inbox lists it

    def __init__(self, new_context, base_url: str, artifacts, username: str):
        self.username, self.artifacts = username, artifacts
        self.page: Page = new_context(base_url=base_url, locale="zh-CN").new_page()
        self.page.goto("/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill("xieshang")
        self.page.get_by_role("button", name="登录").click()
        expect(self.page).to_have_url(re.compile(r"/inbox"))

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{self.prefix}-{name}.png"), full_page=True)

    def open_task(self, step: str) -> None:
        page = self.page
        page.goto("/inbox")
        row = page.locator("table.tasks tr", has_text=self.title).filter(has_text=step)
        expect(row).to_have_count(1)
        row.get_by_role("link", name=self.title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(step)


def pick(box, values) -> None:
    """Choose in a searchable picker (Tom Select over a form's <select>), `box` its combobox (get_by_role("combobox",
    name=label)), as select_option would:
    `values` a value or a list of values (a multi-select). The typing and tapping itself is tested in
    tests/browser/test_clerk_widgets.py."""
    expect(box).to_have_attribute("role", "combobox")
    box.evaluate("(el, v) => document.getElementById(el.id.replace(/-ts-control$/, '')).tomselect.setValue(v)",
                 values)
