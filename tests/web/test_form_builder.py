"""The form builder's server side: every kind of field it makes is accepted and drawn by the inbox renderer, text
fields get a default maxLength, and what is wrong is said once, in Chinese, naming the field."""
from __future__ import annotations

import json
import re

import lxml.html
import pytest
from sqlalchemy import select

from engine.definitions.records import DraftForm

from .helpers import scalar, text

PATH = "forms/proposal/visit.json"
OPTIONS = [{"const": "同意", "title": "同意"}, {"const": "不同意", "title": "不同意"}]
BUILT = {  # what the builder makes for each kind
    "type": "object", "title": "走访记录", "x-readonly-from": ["title"], "required": ["place"],
    "properties": {
        "place": {"type": "string", "title": "走访地点", "description": "写到乡镇", "maxLength": 200},
        "notes": {"type": "string", "title": "走访情况", "x-widget": "textarea", "maxLength": 5000},
        "people": {"type": "number", "title": "人数"},
        "day": {"type": "string", "title": "日期", "format": "date"},
        "verdict": {"type": "string", "title": "结论", "oneOf": OPTIONS},
        "topics": {"type": "array", "title": "议题", "items": {"type": "string", "oneOf": OPTIONS}, "uniqueItems": True},
        "unit": {"type": "string", "title": "单位", "x-widget": "unit"},
        "member": {"type": "string", "title": "委员", "x-widget": "member"},
        "photo": {"type": "integer", "title": "照片", "x-widget": "file"},
        "visitors": {"type": "array", "title": "参加人员", "items": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "title": "姓名", "maxLength": 200}}}},
    },
}


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


def test_every_kind_the_builder_makes_is_previewed_and_saved(client, auth, db):
    auth.as_("admin")
    preview = client.post("/modeler/proposal/forms/preview", data={"schema": json.dumps(BUILT, ensure_ascii=False)})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    for label in ("走访地点", "走访情况", "人数", "日期", "结论", "议题", "单位", "委员", "照片", "参加人员", "写到乡镇"):
        assert label in html
    assert 'type="date"' in html or 'name="day"' in html
    page = client.get(f"/modeler/proposal/forms/edit?path={PATH}")
    doc = lxml.html.fromstring(page.get_data(as_text=True))
    assert doc.get_element_by_id("builder") is not None
    kinds = json.loads(doc.get_element_by_id("builder").get("data-kinds"))
    assert [label for _value, label in kinds] == ["文本", "长文本", "数字", "日期", "单选", "多选", "单位", "委员", "附件", "重复的一组"]
    known = [box.getparent().text_content().strip() for box in doc.xpath("//input[@name='fb-readonly']")]
    assert "提案标题" in known or any("标题" in k for k in known), known
    unlimited = json.loads(json.dumps(BUILT))
    del unlimited["properties"]["place"]["maxLength"], unlimited["properties"]["notes"]["maxLength"]
    del unlimited["properties"]["visitors"]["items"]["properties"]["name"]["maxLength"]
    saved = client.post("/modeler/proposal/forms/edit", data={"path": PATH, "schema": json.dumps(unlimited)})
    assert saved.status_code == 302
    stored = scalar(db, select(DraftForm.schema).where(DraftForm.path == PATH))
    assert stored["properties"]["place"]["maxLength"] == 200  # the default for text
    assert stored["properties"]["notes"]["maxLength"] == 5000  # and for long text
    assert stored["properties"]["visitors"]["items"]["properties"]["name"]["maxLength"] == 200
    assert "maxLength" not in stored["properties"]["verdict"]


@pytest.mark.parametrize("written, said", [
    ('{"type": "object" "properties": {}}', "表单定义（JSON）第 1 行第 19 列：缺少逗号。"),
    ('{"type": "object", "properties": {"a": {"type": "strin", "title": "地点"}}}', "字段“地点（a）”：类型“strin”不存在"),
    ('{"type": "object", "properties": {"a": {"type": "string", "title": "地点", "maxLength": -1}}}',
     "字段“地点（a）”：maxLength 须是不小于 0 的整数"),
    ('{"type": "object", "properties": {"a": {"type": "string", "title": "结论", "oneOf": []}}}', "字段“结论（a）”：至少要有一个选项"),
    ('{"type": "object", "properties": {"地点": {"type": "string", "title": "地点"}}}', "字段名“地点”只能含英文字母"),
    ('{"type": "object", "properties": {"a": {"type": "string"}}}', "字段“a”没有标签"),
])
def test_errors_are_said_once_in_chinese_naming_the_field(client, auth, db, written, said):
    auth.as_("admin")
    refused = client.post("/modeler/proposal/forms/edit", data={"path": PATH, "schema": written})
    page = text(refused)
    assert refused.status_code == 422 and page.count(said) == 1, page
    assert not re.search(r"Expecting|is not valid|delimiter|under any of", page)
    assert scalar(db, select(DraftForm.id).where(DraftForm.path == PATH)) is None
    preview = client.post("/modeler/proposal/forms/preview", data={"schema": written})
    assert preview.status_code == 422 and text(preview).count(said) == 1
