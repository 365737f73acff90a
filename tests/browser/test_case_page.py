"""The case page and task forms in Chromium: the diagram with the waiting step marked, attachments up and down,
a repeated group, a conditional field, a file field and a draft kept across visits; screenshots in test-artifacts/."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.runtime import verbs as runtime
from engine.models import User
from tests.case_material import PDF, start_material
from tests.web.conftest import build_demo_db
from web import create_app
from web.db import EXTENSION, dispose
from tests.browser.person import pick

pytestmark = pytest.mark.browser
NAME = re.compile(r"^姓名")  # the label of a row's name cell (required: "姓名*")
PROPOSAL = {"title": "关于加快城区老旧小区改造的建议", "category": "社会", "content": "城区老旧小区管网老化。",
            "suggestion": "分年度实施。", "cosigners": []}


@pytest.fixture
def server(tmp_path):
    """A live server like tests/browser/conftest.py's, with the file store in the test's folder and the sample
    procedure deployed; yields (base URL, the app)."""
    path = tmp_path / "live.db"
    build_demo_db(path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-test",
                      "XIESHANG_FILES_DIR": str(tmp_path / "files")})
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{live.server_port}", app
    finally:
        live.shutdown()
        thread.join(timeout=10)
        live.server_close()
        dispose(app)


def session_of(app):
    return app.extensions[EXTENSION]["sessionmaker"]()


def login(new_context, base_url: str, username: str, **options) -> Page:
    page = new_context(base_url=base_url, locale="zh-CN", accept_downloads=True, **options).new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("xieshang")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/inbox"))
    return page


def test_diagram_marks_the_waiting_step(new_context, server, artifacts):
    base_url, app = server
    with session_of(app) as db:
        member = db.scalars(select(User).where(User.username == "member1")).one()
        instance_id = runtime.start_instance(db, member, "proposal", PROPOSAL).id
        db.commit()
    page = login(new_context, base_url, "member1")
    page.goto(f"/instances/{instance_id}")
    waiting = page.locator('.diagram g.djs-element[data-element-id="review"]')
    expect(waiting).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator(".diagram g.djs-element.done")).not_to_have_count(0)
    expect(page.locator('.diagram g.djs-element[data-element-id="assign"]')).not_to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator(".diagram-tools")).to_be_visible()
    page.get_by_role("button", name="放大").click()
    page.get_by_role("button", name="适应窗口").click()
    page.screenshot(path=str(artifacts / "case-instance-page.png"), full_page=True)

    phone = login(new_context, base_url, "member1", viewport={"width": 375, "height": 800})
    phone.goto(f"/instances/{instance_id}")
    expect(phone.locator('.diagram g.djs-element[data-element-id="review"]')).to_have_class(re.compile(r"\bactive\b"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "case-instance-page-phone.png"), full_page=True)


def test_attachment_upload_and_download(new_context, server, artifacts):
    base_url, app = server
    with session_of(app) as db:
        instance_id = start_material(db)
    page = login(new_context, base_url, "office1")
    page.goto(f"/instances/{instance_id}")
    page.get_by_label("上传附件").set_input_files(
        {"name": "一季度协商座谈会材料.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.locator("#attachments").get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("已上传附件“一季度协商座谈会材料.pdf”")
    link = page.locator("#attachments").get_by_role("link", name="一季度协商座谈会材料.pdf")
    expect(link).to_be_visible()
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename == "一季度协商座谈会材料.pdf"
    assert Path(download.path()).read_bytes() == PDF

    page.get_by_label("上传附件").set_input_files({"name": "程序.exe", "mimeType": "application/octet-stream",
                                                    "buffer": b"MZ\x90\x00" + b"\x00" * 64})
    page.locator("#attachments").get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".error-page")).to_contain_text("不能上传“程序.exe”")
    page.goto(f"/instances/{instance_id}")
    expect(page.locator("#attachments table.files tbody tr")).to_have_count(1)
    page.screenshot(path=str(artifacts / "case-attachments.png"), full_page=True)

    outsider = login(new_context, base_url, "member2")
    response = outsider.request.get(f"{base_url}/attachments/1")
    assert response.status == 403


def test_group_conditional_file_and_draft(new_context, server, artifacts):
    base_url, app = server
    with session_of(app) as db:
        instance_id = start_material(db)
    page = login(new_context, base_url, "office1")
    page.goto("/inbox")
    page.get_by_role("link", name="会议材料报送").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("报送材料")
    form = page.locator("form.task-form")

    # conditional field: shown only for 其他材料
    other = form.get_by_label("其他类别说明")
    expect(other).to_be_hidden()
    form.get_by_label("其他材料").check()
    expect(other).to_be_visible()
    other.fill("简报")
    form.get_by_label("调研报告").check()
    expect(other).to_be_hidden()
    form.get_by_label("其他材料").check()

    form.get_by_label("材料标题").fill("一季度协商座谈会材料")
    # repeated group: two blank rows offered, a third added by keyboard, one removed
    rows = form.locator('[data-group="participants"] .group-rows > li')
    expect(rows).to_have_count(2)
    form.get_by_label(NAME).nth(0).fill("王五")
    pick(form.get_by_role("combobox", name="单位", exact=True).nth(0), "czj")
    form.get_by_label(NAME).nth(1).fill("要删掉的人")
    form.get_by_role("button", name="再加一行").focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(3)
    expect(form.get_by_label(NAME).nth(2)).to_be_focused()
    page.keyboard.type("赵六")
    rows.nth(1).get_by_role("button", name="删除此行").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator(".row-no")).to_have_text("第 2 行")

    # a file chosen uploads at once (the form is kept as a draft on the way)
    form.get_by_label("材料文件").set_input_files({"name": "座谈会材料.pdf", "mimeType": "application/pdf",
                                                  "buffer": PDF})
    expect(page.locator(".flash")).to_contain_text("已上传“座谈会材料.pdf”")
    expect(form.locator(".current-file")).to_contain_text("座谈会材料.pdf")
    expect(form.get_by_label("材料标题")).to_have_value("一季度协商座谈会材料")
    expect(form.get_by_label(NAME).nth(1)).to_have_value("赵六")
    expect(form.get_by_label("其他类别说明")).to_have_value("简报")
    page.screenshot(path=str(artifacts / "case-task-form.png"), full_page=True)

    # save as draft, leave, come back
    form.get_by_label("份数").fill("12")
    form.get_by_role("button", name="存草稿").click()
    expect(page.locator(".flash")).to_have_text("草稿已保存")
    page.goto("/inbox")
    page.get_by_role("link", name="会议材料报送").first.click()
    expect(form.get_by_label("份数")).to_have_value("12")
    expect(form.locator(".draft-note")).to_contain_text("草稿保存于")

    page.set_viewport_size({"width": 375, "height": 800})  # a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / "case-task-form-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    form.get_by_role("button", name="提交").click()
    expect(page.locator(".flash")).to_have_text("已提交")
    page.goto(f"/instances/{instance_id}")
    entered = page.locator("#entered")
    expect(entered.locator("table")).to_contain_text("赵六")
    expect(entered.locator("table")).to_contain_text("县财政局")
    expect(entered).not_to_contain_text("要删掉的人")
    expect(entered.get_by_role("link", name="座谈会材料.pdf")).to_be_visible()
    expect(page.locator('.diagram g.djs-element[data-element-id="check_material"]')).to_have_class(
        re.compile(r"\bactive\b"))
    expect(page.locator('.diagram g.djs-element[data-element-id="submit_material"]')).to_have_class(
        re.compile(r"\bdone\b"))
    page.screenshot(path=str(artifacts / "case-instance-after-submit.png"), full_page=True)
