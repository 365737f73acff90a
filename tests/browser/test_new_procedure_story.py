"""The new-procedure story in one browser run: a process owner creates a procedure (members start it, the office
handles it, key from the Chinese name), adds fields with the form builder, publishes; a member starts it; the office
sends it back (退回修改); the member revises it with the earlier text shown; the office finishes it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.definitions import deploy as definitions
from engine.models import Instance

from .test_modeler import live_db, login  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
EARLIER = "县人民医院挂号排队时间长，老年人不会用自助机。"


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    monkeypatch.setattr(definitions, "_VERSIONS", {})


def add_field(page, label: str, kind: str, required: bool = False) -> None:
    page.get_by_role("button", name="添加字段").click()
    card = page.locator("#fb-fields > li").last
    card.get_by_label("标签").fill(label)
    card.get_by_label("类型").select_option(label=kind)
    card = page.locator("#fb-fields > li").last  # drawn again for the new kind
    if required:
        card.get_by_label("必填").check()


def open_task(page, title: str, step: str) -> None:
    page.goto("/inbox")
    row = page.locator("table.tasks tr", has_text=title)
    expect(row.locator(".step")).to_have_text(step)
    row.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(step)


def test_create_build_publish_start_send_back_revise_finish(new_context, live_server, live_db, artifacts):  # noqa: F811
    owner = login(new_context, live_server, "admin")
    owner.get_by_role("link", name="流程设计").click()
    owner.get_by_label("流程名称").fill("走访记录")
    owner.get_by_label("谁发起").select_option("委员")
    owner.get_by_label("谁办理").select_option("政协办公室")
    owner.get_by_role("button", name="新建").click()
    expect(owner).to_have_url(re.compile(r"/modeler/zou_fang_ji_lu$"))
    expect(owner.locator("#modeler-app")).to_have_attribute("data-ready", "true")

    # the start form, with the builder
    owner.get_by_role("link", name="表单", exact=True).click()
    owner.locator("tr", has_text="start.json").get_by_role("link", name="编辑").click()
    expect(owner.locator("#fb-fields > li")).to_have_count(2)  # 事项标题, 事项内容 from the template
    add_field(owner, "走访情况", "长文本", required=True)
    add_field(owner, "走访人数", "数字")
    preview = owner.locator("#form-preview")
    expect(preview.locator("textarea[name=visit_notes], textarea").last).to_be_visible()
    expect(preview).to_contain_text("走访情况")
    expect(preview).to_contain_text("走访人数")
    owner.locator("#fb-fields > li").nth(2).get_by_label("字段名").fill("visit_notes")
    owner.locator("#fb-fields > li").nth(2).get_by_label("字段名").press("Tab")
    expect(owner.locator("#schema-text")).to_have_value(re.compile(r'"visit_notes"'))
    owner.locator("#fb-fields > li").nth(3).get_by_role("button", name="上移").click()
    expect(owner.locator("#fb-fields > li").nth(2)).to_contain_text("走访人数")
    owner.screenshot(path=str(artifacts / "owner-02-form-builder.png"))
    owner.get_by_role("button", name="保存表单").click()
    expect(owner.locator(".flash")).to_contain_text("表单已保存")
    # the handling step shows what the member wrote, read-only
    owner.get_by_role("link", name="表单", exact=True).click()
    owner.locator("tr", has_text="handle.json").get_by_role("link", name="编辑").click()
    owner.locator(".fb-readonly").get_by_label("走访情况").check()
    expect(owner.locator("#schema-text")).to_have_value(re.compile(r'"x-readonly-from": \[[\s\S]*?"visit_notes"'))
    owner.get_by_role("button", name="保存表单").click()
    expect(owner.locator(".flash")).to_contain_text("表单已保存")
    owner.get_by_role("link", name="返回流程图").click()
    expect(owner.locator("#modeler-app")).to_have_attribute("data-ready", "true")
    owner.get_by_role("button", name="校验").click()
    expect(owner.locator("#problems-summary")).to_contain_text("没有发现问题")
    owner.get_by_role("button", name="发布").click()
    expect(owner.locator("#modeler-status")).to_contain_text("第 1 版")

    # a member starts it
    member = login(new_context, live_server, "member1")
    member.get_by_role("link", name="发起事项").click()
    member.get_by_role("link", name="走访记录").click()
    member.get_by_label("事项标题").fill("走访县人民医院")
    member.get_by_label("走访情况").fill(EARLIER)
    member.get_by_label("走访人数").fill("3")
    member.get_by_role("button", name="发起").click()
    expect(member.locator(".flash")).to_have_text("已发起")

    # the office sends it back
    office = login(new_context, live_server, "office1")
    open_task(office, "走访县人民医院", "办理")
    expect(office.locator("body")).to_contain_text(EARLIER)  # read-only: what the member wrote
    office.get_by_label("办理意见").fill("请补充医院的具体排队时长。")
    office.get_by_label("退回修改").check()
    office.get_by_role("button", name="提交").click()
    expect(office.locator(".flash")).to_have_text("已提交")

    # the member revises, the earlier text shown
    open_task(member, "走访县人民医院", "修改")
    expect(member.locator("body")).to_contain_text("请补充医院的具体排队时长。")  # why it came back
    notes = member.get_by_label("走访情况")
    if notes.input_value():  # the form shows the case's data (prefill)
        expect(notes).to_have_value(EARLIER)
        expect(member.get_by_label("事项标题")).to_have_value("走访县人民医院")
    else:
        member.get_by_label("事项标题").fill("走访县人民医院")
    notes.fill(EARLIER + "平均排队四十分钟。")
    member.screenshot(path=str(artifacts / "owner-03-revise.png"))
    member.get_by_role("button", name="提交").click()
    expect(member.locator(".flash")).to_have_text("已提交")

    # the office finishes it
    open_task(office, "走访县人民医院", "办理")
    expect(office.locator("body")).to_contain_text("平均排队四十分钟。")
    office.get_by_label("办理意见").fill("已转县卫健局研究。")
    office.get_by_label("办结", exact=True).check()
    office.get_by_role("button", name="提交").click()
    expect(office.locator(".flash")).to_have_text("已提交")
    with live_db() as session:
        instance = session.scalars(select(Instance).where(Instance.process_key == "zou_fang_ji_lu")).one()
        assert instance.status == "completed"
