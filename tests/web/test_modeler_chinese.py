"""The modeler speaks Chinese and names things, not ids: the forms page's 使用的步骤, an unnamed lane, expression
errors that say what is wrong, where, and how the expression language writes it."""
from __future__ import annotations

import lxml.html
import pytest

from engine.definitions import working_copies as drafts

from .helpers import text


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


def _xml(client, key="proposal") -> str:
    return client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True)


def test_the_forms_page_names_the_steps_that_use_each_form(client, auth):
    auth.as_("admin")
    doc = lxml.html.fromstring(client.get("/modeler/proposal/forms").get_data(as_text=True))
    rows = {row.xpath("string(td[1])").strip(): row.xpath("string(td[3])").strip() for row in doc.xpath("//tbody/tr")}
    assert rows["forms/proposal/review.json"] == "审查立案"
    assert not any(value in ("review", "assess", "handle") for value in rows.values())


def test_an_unnamed_lane_is_reported_as_such_with_an_example_role(client, auth):
    auth.as_("admin")
    client.post("/modeler/new", data={"key": "lane_test", "name": "泳道测试"})
    xml = _xml(client, "lane_test").replace('name="政协办公室"', 'name=""')
    problems = client.post("/modeler/lane_test/validate", json={"xml": xml}).json["problems"]
    messages = [p["message"] for p in problems if p["element_id"] == "lane_office"]
    assert messages == ["有一条泳道没有名称：请把它命名为一个角色的名称（如“政协办公室”），由持有该角色的人办理其中的步骤"]
    assert "泳道“”" not in text(client.post("/modeler/lane_test/validate", json={"xml": xml}))


@pytest.mark.parametrize("written, reason", [
    ('decision = "不立案"', "比较是否相等请写 ==，不要写 ="),
    ('${decision == "不立案"}', "是其他系统的写法"),
    ('decision == "不立案', "字符串缺少结束的引号"),
    ('len(cosigners > 0', "括号没有配对"),
])
def test_expression_errors_say_what_and_where_with_an_example(client, auth, written, reason):
    auth.as_("admin")
    xml = _xml(client).replace('>decision == "不立案"<', f">{written.replace('>', '&gt;')}<")
    problems = client.post("/modeler/proposal/validate", json={"xml": xml}).json["problems"]
    found = [p["message"] for p in problems if "语法错误" in p["message"]]
    assert len(found) == 1, problems
    assert reason in found[0] and "例如 decision == \"同意\"" in found[0] and "invalid syntax" not in found[0]
    assert found[0].startswith("“不立案”上的表达式") or "上的表达式" in found[0]


def test_expression_errors_in_english_with_the_english_ui(client, auth):
    auth.as_("admin")
    xml = _xml(client).replace('>decision == "不立案"<', '>decision = "不立案"<')
    client.get("/modeler?lang=en")
    problems = client.post("/modeler/proposal/validate", json={"xml": xml}).json["problems"]
    found = [p["message"] for p in problems if "==" in p["message"]]
    assert found and "write ==, not =" in found[0] and "表达式" not in found[0] and "写法" not in found[0]


def test_form_users_lists_every_step_by_name(db):
    draft = drafts.get(db, "proposal")
    users = drafts.form_users(draft)
    assert users["forms/proposal/review.json"] == ["审查立案"]
    db.rollback()
