"""流程设计 in Chromium: edit a deployed diagram and deploy it, problems that select their element, the MIWG
reference diagrams, and a new two-step procedure drawn in the modeler and run from the inbox."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine import db as engine_db
from engine.definitions import deploy as definitions
from engine.runtime import verbs as runtime
from engine.models import Instance, User

pytestmark = pytest.mark.browser

MIWG = Path(__file__).resolve().parents[1] / "fixtures" / "miwg"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
SUBMIT = {"title": "", "category": "社会", "content": "城区老旧小区管网老化。", "suggestion": "分年度实施。"}


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    """versions are cached by database and row id; other tests' databases reuse the ids this test deploys."""
    monkeypatch.setattr(definitions, "_VERSIONS", {})


def login(new_context, base_url: str, username: str) -> Page:
    page = new_context(base_url=base_url, locale="zh-CN", viewport={"width": 1500, "height": 1000}).new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("xieshang")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    return page


def open_modeler(page: Page, key: str) -> None:
    page.goto(f"/modeler/{key}")
    expect(page.locator("#modeler-app")).to_have_attribute("data-ready", "true")
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays (licence)


def shape(page: Page, element_id: str):
    return page.locator(f'.djs-element.djs-shape[data-element-id="{element_id}"]')


def select_shape(page: Page, element_id: str) -> None:
    shape(page, element_id).click()
    expect(shape(page, element_id)).to_have_class(re.compile(r"\bselected\b"))


def props_field(page: Page, entry: str):
    return page.locator(f"#properties [data-entry-id='{entry}'] input, #properties [data-entry-id='{entry}'] textarea,"
                        f" #properties [data-entry-id='{entry}'] select").first


@pytest.fixture
def live_db(live_server, tmp_path):
    engine = engine_db.make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    maker = engine_db.make_sessionmaker(engine)
    yield maker
    engine.dispose()


def start_proposal(maker, username: str, title: str) -> int:
    with maker() as session:
        member = session.scalars(select(User).where(User.username == username)).one()
        instance = runtime.start_instance(session, member, "proposal", {**SUBMIT, "title": title})
        session.commit()
        return instance.id


def test_rename_and_new_deadline_deploy_while_running_instances_keep_their_version(
        new_context, live_server, live_db, artifacts):
    start_proposal(live_db, "member1", "旧版本上的提案")
    page = login(new_context, live_server, "admin")
    page.get_by_role("link", name="流程设计").click()
    page.locator("tr[data-key='proposal']").get_by_role("link", name="编辑").click()
    expect(page.locator("#modeler-app")).to_have_attribute("data-ready", "true")
    expect(page.locator(".bjs-powered-by")).to_be_visible()
    expect(page.locator(".djs-palette")).to_be_visible()

    select_shape(page, "review")
    expect(page.locator("#properties")).to_contain_text("协商办理设置")
    expect(props_field(page, "xs-lane")).to_have_value("提案委员会（proposal_committee）")
    props_field(page, "name").fill("审查立案并分类")
    expect(shape(page, "review")).to_contain_text("审查立案并分类")
    due = props_field(page, "xs-dueWorkingDays")
    expect(due).to_have_value("10")
    due.fill("5")
    expect(page.locator("#modeler-app")).to_have_attribute("data-saved", "true")
    page.screenshot(path=str(artifacts / "modeler-01-edit.png"))

    page.get_by_role("button", name="校验").click()
    expect(page.locator("#problems-summary")).to_contain_text("没有发现问题")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#modeler-status")).to_contain_text("第 2 版")
    xml = page.request.get("/modeler/proposal/versions/2.bpmn").text()
    assert 'name="审查立案并分类"' in xml and '<spiffworkflow:property name="dueWorkingDays" value="5"' in xml

    start_proposal(live_db, "member2", "新版本上的提案")
    tiwei = login(new_context, live_server, "tiwei")
    rows = tiwei.locator("table.tasks tr")
    expect(rows.filter(has_text="旧版本上的提案").locator(".step")).to_have_text("审查立案")
    expect(rows.filter(has_text="新版本上的提案").locator(".step")).to_have_text("审查立案并分类")
    tiwei.screenshot(path=str(artifacts / "modeler-02-inbox-two-versions.png"))

    # what changed, by name
    page.goto("/modeler/proposal/versions")
    page.locator("tr[data-version='2']").get_by_role("link", name="与上一版比较").click()
    change = page.locator("tr[data-element-id='review']")
    expect(change).to_contain_text("名称：审查立案 → 审查立案并分类")
    expect(change).to_contain_text("办理时限（工作日）：10 → 5")
    page.screenshot(path=str(artifacts / "modeler-07-diff.png"))

    # the process owner moves the older instance to version 2
    page.goto("/modeler/proposal/versions")
    page.get_by_role("link", name="把办理中的事项迁移到当前版本").click()
    row = page.locator("tr.movable", has_text="旧版本上的提案")
    expect(row).to_contain_text("可以迁移")
    expect(row).to_contain_text("审查立案")
    page.screenshot(path=str(artifacts / "modeler-06-migration-preview.png"))
    page.get_by_role("button", name="迁移选中的事项").click()
    expect(page.locator(".flash")).to_contain_text("已将 1 个事项迁移到第 2 版")
    tiwei.reload()
    expect(rows.filter(has_text="旧版本上的提案").locator(".step")).to_have_text("审查立案并分类")


def test_a_problem_in_the_list_selects_its_element(new_context, live_server, artifacts):
    page = login(new_context, live_server, "admin")
    open_modeler(page, "proposal")
    select_shape(page, "assign")
    props_field(page, "xs-dueWorkingDays").fill("三天")
    expect(page.locator("#modeler-app")).to_have_attribute("data-saved", "true")
    select_shape(page, "review")
    page.get_by_role("button", name="校验").click()
    problem = page.locator("#problems button.problem", has_text="办理时限（工作日）必须是整数")
    expect(problem).to_have_count(1)
    expect(shape(page, "assign")).not_to_have_class(re.compile(r"\bselected\b"))
    problem.click()
    expect(shape(page, "assign")).to_have_class(re.compile(r"\bselected\b"))
    page.screenshot(path=str(artifacts / "modeler-03-problem-selected.png"))
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#modeler-status")).to_contain_text("未发布")


def _layout(xml: bytes) -> dict:
    root = etree.fromstring(xml)
    found = {}
    for node in root.iter(f"{DI}BPMNShape"):
        if node.get("bpmnElement") is None:  # no element to draw: bpmn-js (rightly) drops it
            continue
        bounds = node.find(f"{DC}Bounds")
        found[node.get("bpmnElement")] = tuple(round(float(bounds.get(k))) for k in ("x", "y", "width", "height"))
    for node in root.iter(f"{DI}BPMNEdge"):
        if node.get("bpmnElement") is None:
            continue
        found[node.get("bpmnElement")] = tuple((round(float(w.get("x"))), round(float(w.get("y"))))
                                               for w in node.iter(f"{DI}waypoint"))
    return found


@pytest.mark.parametrize("path", sorted(MIWG.glob("*.bpmn")), ids=lambda p: p.stem)
def test_miwg_reference_diagrams_import_validate_and_keep_their_layout(new_context, live_server, path):
    page = login(new_context, live_server, "admin")
    page.goto("/modeler")
    page.get_by_label("BPMN 2.0 文件").set_input_files(str(path))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("导入流程图")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#modeler-app")).to_have_attribute("data-ready", "true")
    expect(page.locator(".bjs-powered-by")).to_be_visible()
    key = page.url.rsplit("/", 1)[1]
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#problems-summary")).to_contain_text("发现")
    assert int(page.locator("#problems").get_attribute("data-count")) > 0
    page.get_by_role("button", name="保存工作稿").click()
    expect(page.locator("#modeler-status")).to_contain_text("已保存")
    saved = page.request.get(f"/modeler/{key}/diagram.bpmn").body()
    assert _layout(saved) == _layout(path.read_bytes())


def test_a_new_two_step_procedure_is_drawn_deployed_and_run_from_the_inboxes(
        new_context, live_server, live_db, artifacts):
    page = login(new_context, live_server, "admin")
    page.get_by_role("link", name="流程设计").click()
    page.get_by_label("流程名称").fill("来访登记")
    page.get_by_label("流程编号").fill("visit_log")
    page.get_by_role("button", name="新建").click()
    expect(page.locator("#modeler-app")).to_have_attribute("data-ready", "true")

    # a second lane for the committee
    shape(page, "lane_office").click(position={"x": 15, "y": 60})
    page.locator(".djs-context-pad [data-action='lane-insert-below']").click()
    page.wait_for_function("window.xsModeler.get('elementRegistry').filter(e => e.type === 'bpmn:Lane').length === 2")
    new_lane = page.evaluate("window.xsModeler.get('elementRegistry').filter("
                             "e => e.type === 'bpmn:Lane' && e.id !== 'lane_office')[0].id")
    lanes = page.locator(f".djs-element.djs-shape[data-element-id='{new_lane}']")
    lanes.first.click(position={"x": 15, "y": 40})
    props_field(page, "xs-role").select_option("提案委员会")
    expect(lanes.first).to_contain_text("提案委员会")

    # 办理 → 审核 (a new user task) → 办结
    for element_id in ("gw_handled", "revise", "end"):  # the template's 退回修改 loop is not wanted here
        shape(page, element_id).click()
        page.locator(".djs-context-pad [data-action='delete']").click()
        expect(shape(page, element_id)).to_have_count(0)
    select_shape(page, "handle")
    page.locator(".djs-context-pad [data-action='append.user-task']").click()
    page.keyboard.type("审核")
    page.keyboard.press("Enter")
    review = page.locator(".djs-element.djs-shape[data-element-id^='Activity_']")
    expect(review).to_contain_text("审核")
    review_id = review.get_attribute("data-element-id")

    # move it down into the committee's lane
    box, lane_box = review.bounding_box(), shape(page, new_lane).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, lane_box["y"] + lane_box["height"] / 2, steps=12)
    page.mouse.up()
    expect(review).to_have_class(re.compile(r"\bselected\b"))  # a moved shape stays selected
    expect(props_field(page, "xs-lane")).to_have_value("提案委员会（proposal_committee）")
    page.locator(".djs-context-pad [data-action='append.end-event']").click()
    page.keyboard.press("Escape")

    # its form: named in the properties, missing at first, then made in the form editor
    select_shape(page, review_id)
    props_field(page, "xs-formJsonSchemaFilename").fill("forms/visit_log/review.json")
    props_field(page, "xs-dueWorkingDays").fill("3")
    expect(page.locator("#modeler-app")).to_have_attribute("data-saved", "true")
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#problems button.problem", has_text="forms/visit_log/review.json")).to_have_count(1)
    page.screenshot(path=str(artifacts / "modeler-04-new-procedure.png"))
    page.get_by_role("link", name=re.compile("编辑此步骤的表单")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("表单编辑")
    expect(page.locator("#form-preview")).to_contain_text("意见")
    page.get_by_text("JSON（高级）", exact=True).click()
    page.get_by_label("表单定义（JSON）").fill(
        '{"type": "object", "title": "审核意见", "properties": {"verdict": {"type": "string", "title": "审核结论",'
        ' "oneOf": [{"const": "同意", "title": "同意"}, {"const": "退回", "title": "退回"}]}}, "required": ["verdict"]}')
    expect(page.locator("#form-preview")).to_contain_text("审核结论")
    expect(page.locator("#form-preview input[type=radio]")).to_have_count(2)
    page.screenshot(path=str(artifacts / "modeler-05-form-editor.png"))
    page.get_by_role("button", name="保存表单").click()
    expect(page.locator(".flash")).to_contain_text("表单已保存")
    page.get_by_role("link", name="返回流程图").click()
    expect(page.locator("#modeler-app")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#problems-summary")).to_contain_text("没有发现问题")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#modeler-status")).to_contain_text("第 1 版")

    # the office starts it, handles step 1; the committee handles step 2
    office = login(new_context, live_server, "office1")
    office.get_by_role("link", name="发起事项").click()
    office.get_by_role("link", name="来访登记").click()
    office.get_by_label("事项标题").fill("群众来访反映停车难")
    office.get_by_label("事项内容").fill("老城区停车位不足。")
    office.get_by_role("button", name="发起").click()
    expect(office.locator(".flash")).to_have_text("已发起")
    office.goto("/inbox")
    office.locator("table.tasks tr", has_text="群众来访反映停车难").get_by_role("link", name="群众来访反映停车难").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("办理")
    office.get_by_label("办理意见").fill("已登记，请提案委员会审核。")
    office.get_by_role("button", name="提交").click()
    expect(office.locator(".flash")).to_have_text("已提交")

    tiwei = login(new_context, live_server, "tiwei")
    row = tiwei.locator("table.tasks tr", has_text="群众来访反映停车难")
    expect(row.locator(".step")).to_have_text("审核")
    row.get_by_role("link", name="群众来访反映停车难").click()
    tiwei.get_by_label("同意").check()
    tiwei.get_by_role("button", name="提交").click()
    expect(tiwei.locator(".flash")).to_have_text("已提交")
    with live_db() as session:
        instance = session.scalars(select(Instance).where(Instance.process_key == "visit_log")).one()
        assert instance.status == "completed"


def test_a_renamed_step_a_record_reads_is_refused_and_a_new_status_label_shows_for_new_proposals(
        new_context, live_server, live_db, artifacts):
    page = login(new_context, live_server, "admin")
    open_modeler(page, "proposal")
    select_shape(page, "review")
    label = props_field(page, "xs-statusLabel")
    expect(page.locator("#properties")).to_contain_text("状态名称")
    expect(label).to_have_value("待审查")
    label.fill("待提案委员会审查")
    select_shape(page, "handle")
    props_field(page, "id").fill("reply")
    expect(page.locator("#modeler-app")).to_have_attribute("data-saved", "true")
    page.get_by_role("button", name="校验").click()
    refused = "步骤 handle（办理答复）被删除或改名：提案记录（答复期限、督办同意的延期）依赖它。"
    expect(page.locator("#problems li", has_text=refused)).to_have_count(1)
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#modeler-status")).to_contain_text("未发布")
    expect(page.locator("#problems li", has_text=refused)).to_have_count(1)
    page.screenshot(path=str(artifacts / "modeler-08-record-depends-on-step.png"))

    expect(shape(page, "reply")).to_have_class(re.compile(r"\bselected\b"))  # still selected: give its id back
    props_field(page, "id").fill("handle")
    expect(page.locator("#modeler-app")).to_have_attribute("data-saved", "true")
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#problems-summary")).to_contain_text("没有发现问题")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#modeler-status")).to_contain_text("第 2 版")

    start_proposal(live_db, "member1", "新标签下的提案")
    member = login(new_context, live_server, "member1")
    member.goto("/proposals")
    expect(member.locator("tr", has_text="新标签下的提案").locator(".status")).to_contain_text("待提案委员会审查")
