"""Process owners in Chromium: importing asks first and keeps forms; the MIWG C.1.0 model is made publishable with the
fix-ups the modeler offers; import notes are listed in Chinese; the modeler speaks Chinese."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import expect

from engine.definitions import deploy as definitions

from .test_modeler import login

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MIWG = ROOT / "tests" / "fixtures" / "miwg"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    monkeypatch.setattr(definitions, "_VERSIONS", {})


def import_file(page, path: Path, key: str | None = None) -> None:
    page.goto("/modeler")
    page.get_by_label("BPMN 2.0 文件").set_input_files(str(path))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("导入流程图")
    if key:
        page.get_by_label("流程编号").fill(key)
    page.get_by_role("button", name="确认导入").click()


def test_a_miwg_model_is_fixed_up_in_the_modeler_and_published(new_context, live_server, artifacts):
    page = login(new_context, live_server, "admin")
    import_file(page, MIWG / "C.1.0.bpmn", "invoice")
    app = page.locator("#modeler-app")
    expect(app).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="校验").click()
    fixes = page.locator("#fixes")
    expect(fixes).to_be_visible()
    expect(fixes).to_contain_text("${!approved} → not approved")
    expect(fixes).to_contain_text("“Team-Assistant”")
    approver = page.get_by_label("泳道“Approver”对应的角色")
    approver.select_option("提案委员会")
    page.screenshot(path=str(artifacts / "owner-01-miwg-fixups.png"))
    page.get_by_role("button", name="应用所选修正").click()
    expect(page.locator("#problems-summary")).to_contain_text("没有发现问题")
    expect(fixes).to_be_hidden()
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#modeler-status")).to_contain_text("第 1 版")
    saved = page.request.get("/modeler/invoice/diagram.bpmn").text()
    root = etree.fromstring(saved.encode("utf-8"))
    assert "提案委员会" in {lane.get("name") for lane in root.iter(f"{B}lane")}
    assert "sid-46891B57-A9D3-4A8B-AEBF-D4BA5F3961AD" not in {p.get("id") for p in root.iter(f"{B}participant")}
    assert not [c.text for c in root.iter(f"{B}conditionExpression") if "${" in (c.text or "")]


def test_import_notes_are_listed_in_chinese_naming_the_element(new_context, live_server, tmp_path):
    from engine.definitions import working_copies as drafts

    xml = drafts.template("noted", "有提示的流程")
    doubled = ('<bpmndi:BPMNShape id="handle_di_2" bpmnElement="handle"><dc:Bounds x="310" y="140" width="100" '
               'height="80" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="ghost_di" bpmnElement="ghost">'
               '<dc:Bounds x="600" y="140" width="100" height="80" /></bpmndi:BPMNShape>')
    path = tmp_path / "noted.bpmn"
    path.write_text(xml.replace("</bpmndi:BPMNPlane>", doubled + "</bpmndi:BPMNPlane>"), encoding="utf-8")
    page = login(new_context, live_server, "admin")
    import_file(page, path)
    expect(page.locator("#modeler-app")).to_have_attribute("data-ready", "true")
    notes = page.locator("#import-warnings")
    expect(notes).to_be_visible()
    expect(notes.locator("li", has_text="元素“办理”有多个图形：只显示第一个。")).to_have_count(1)
    expect(notes.locator("li", has_text="引用了图中不存在的元素 ghost")).to_have_count(1)
    expect(page.locator("#modeler-status")).to_contain_text("见下方列表")
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", notes.inner_text())  # no English sentence left


def test_the_modeler_names_types_and_steps_in_chinese(new_context, live_server):
    from .test_modeler import open_modeler, select_shape

    page = login(new_context, live_server, "admin")
    open_modeler(page, "proposal")
    header = page.locator("#properties .bio-properties-panel-header-type")
    select_shape(page, "review")
    expect(header).to_have_text("用户任务")
    page.evaluate("window.xsModeler.get('selection').select("
                  "window.xsModeler.get('elementRegistry').get('proposal_participant'))")
    expect(header).to_have_text("参与者")
    page.evaluate("window.xsModeler.get('selection').select(null)")  # nothing selected: the panel shows the root
    expect(header).to_have_text("协作")
    page.goto("/modeler/proposal/forms")
    row = page.locator("tr", has_text="forms/proposal/review.json")
    expect(row.locator(".form-users")).to_have_text("审查立案")


def test_looking_at_a_published_procedure_leaves_no_working_copy(new_context, live_server):
    from .test_modeler import open_modeler, select_shape

    page = login(new_context, live_server, "admin")
    open_modeler(page, "proposal")
    select_shape(page, "review")
    page.locator("#canvas").hover()
    page.mouse.wheel(0, 200)  # scrolling and selecting change nothing
    page.wait_for_timeout(1200)  # longer than the autosave's pause
    expect(page.locator("#draft-state")).to_have_text("已发布第 1 版，没有未发布的修改")
    page.goto("/modeler")
    expect(page.locator("tr[data-key='proposal'] td").nth(4)).to_have_text("—")
    open_modeler(page, "proposal")
    select_shape(page, "review")
    page.locator("#properties [data-entry-id='name'] textarea, #properties [data-entry-id='name'] input").first.fill("审查")
    expect(page.locator("#modeler-app")).to_have_attribute("data-saved", "true")
    page.reload()
    expect(page.locator("#draft-state")).to_have_text("基于第 1 版的工作稿")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="放弃修改").click()
    expect(page.locator("#draft-state")).to_have_text("已发布第 1 版，没有未发布的修改")
    page.goto("/modeler")
    expect(page.locator("tr[data-key='proposal'] td").nth(4)).to_have_text("—")


def test_form_builder_errors_are_chinese_once_and_name_the_field(new_context, live_server):
    page = login(new_context, live_server, "admin")
    page.goto("/modeler/proposal/forms/edit?path=forms/proposal/review.json")
    expect(page.locator("#fb-fields > li").first).to_be_visible()
    card = page.locator("#fb-fields > li").first
    card.get_by_label("类型").select_option(label="单选")
    page.locator("#fb-fields > li").first.get_by_label("选项（每行一个）").fill("")
    preview = page.locator("#preview-slot")
    expect(preview.locator(".form-error")).to_have_count(1)
    expect(preview.locator(".form-error")).to_contain_text("至少要有一个选项")
    expect(preview.locator(".form-error")).to_contain_text("字段“")
    page.get_by_text("JSON（高级）", exact=True).click()
    page.get_by_label("表单定义（JSON）").fill('{"type": "object" "properties": {}}')
    expect(preview.locator(".form-error")).to_have_text("表单定义（JSON）第 1 行第 19 列：缺少逗号。")
    page.get_by_role("button", name="保存表单").click()
    expect(page.locator(".form-error")).to_have_count(1)
    expect(page.locator("#save-error")).to_contain_text("缺少逗号")
    assert "Expecting" not in page.content()


def test_reimporting_a_published_procedure_keeps_its_forms_and_asks_first_on_a_phone(new_context, live_server):
    page = new_context(base_url=live_server, locale="zh-CN", viewport={"width": 375, "height": 800}).new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("xieshang")
    page.get_by_role("button", name="登录").click()
    page.goto("/modeler")
    page.get_by_label("BPMN 2.0 文件").set_input_files(str(ROOT / "processes" / "proposal.bpmn"))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_label("流程编号")).to_have_value("proposal")
    shipped = len(list((Path(__file__).resolve().parents[2] / "processes" / "forms" / "proposal").glob("*.json")))
    expect(page.locator("#import-forms li[data-source=existing]")).to_have_count(shipped)
    expect(page.locator("#import-forms li[data-source=missing]")).to_have_count(0)
    expect(page.locator("#import-replace")).to_contain_text("已是已发布的流程“提案办理”")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # nothing wider than the phone
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#import-replace [role=alert]")).to_contain_text("请勾选确认替换")
    page.get_by_label(re.compile("我已核对")).check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#draft-state")).to_have_text("基于第 1 版的工作稿")
