"""The JSON Schema form renderer and the POST parser, without a database."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from web.forms import build_fields, parse_form, renderable, widget_for

FORMS = Path(__file__).resolve().parents[2] / "processes" / "forms"

SCHEMA = {
    "type": "object",
    "title": "测试表单",
    "properties": {
        "title": {"type": "string", "title": "标题", "maxLength": 10},
        "body": {"type": "string", "title": "正文", "x-widget": "textarea"},
        "count": {"type": "integer", "title": "数量", "minimum": 0},
        "ratio": {"type": "number", "title": "比例"},
        "agree": {"type": "boolean", "title": "同意"},
        "confirm": {"type": "boolean", "title": "确认", "x-widget": "radio"},
        "day": {"type": "string", "title": "日期", "format": "date"},
        "klass": {"type": "string", "title": "类别", "oneOf": [{"const": "A", "title": "A 已解决"},
                                                              {"const": "B", "title": "B 正在解决"}]},
        "level": {"type": "integer", "title": "等级", "enum": [1, 2, 3, 4, 5, 6]},
        "unit": {"type": "string", "title": "主办单位", "x-widget": "unit"},
        "units": {"type": "array", "title": "会办单位", "items": {"type": "string"}, "x-widget": "units"},
        "people": {"type": "array", "title": "联名", "items": {"type": "string"}, "x-widget": "members"},
        "tags": {"type": "array", "title": "标签", "items": {"type": "string"}},
        "kinds": {"type": "array", "title": "种类", "items": {"enum": ["甲", "乙"]}},
        "typename": {"type": "string", "title": "危险"},
        "nested": {"type": "object", "title": "嵌套", "properties": {}},
        "numbers": {"type": "array", "title": "数组", "items": {"type": "integer"}},
        "mystery": {"title": "无类型"},
    },
    "required": ["title", "klass"],
    "allOf": [{"if": {"properties": {"klass": {"const": "B"}}},
               "then": {"required": ["body"], "properties": {"extra": {"type": "string", "title": "补充"}}}}],
}


def options_for(kind: str):
    return {"unit": [("czj", "财政局"), ("fgw", "发改委")], "member": [("member2", "刘芳")],
            "liaison_group": [("开鲁镇委员联络组", "开鲁镇委员联络组")], "gov_leader": [("lingdao", "王县长")],
            "cppcc_leader": [("zhuxi", "李主席")]}[kind]


@pytest.fixture
def app():
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parents[2] / "web" / "templates"))
    Babel(app, default_locale="zh_CN")
    with app.app_context():
        yield app


def test_widgets_for_each_kind():
    widgets = {key: widget_for(prop) for key, prop in SCHEMA["properties"].items()}
    assert widgets == {
        "title": "text", "body": "textarea", "count": "integer", "ratio": "number", "agree": "checkbox",
        "confirm": "yesno", "day": "date", "klass": "radio", "level": "select", "unit": "select",
        "units": "multiselect", "people": "multiselect", "tags": "lines", "kinds": "checkboxes",
        "typename": "text", "nested": None, "numbers": None, "mystery": None,
    }


def test_typename_and_unknown_types_are_never_rendered():
    keys = list(renderable(SCHEMA))
    assert "typename" not in keys and "nested" not in keys and "numbers" not in keys and "mystery" not in keys
    assert keys[-1] == "extra"  # declared only inside a then-branch


def test_fields_carry_labels_required_marks_choices_and_errors():
    fields = {f.key: f for f in build_fields(SCHEMA, {"title": "x"}, {"klass": "此项必填"}, options_for)}
    assert fields["title"].title == "标题" and fields["title"].required and fields["title"].max_length == 10
    assert fields["title"].value == "x"
    assert fields["klass"].choices == [("A", "A 已解决"), ("B", "B 正在解决")] and fields["klass"].error == "此项必填"
    assert fields["body"].required_if and not fields["body"].required
    assert fields["unit"].choices == [("czj", "财政局"), ("fgw", "发改委")]
    assert fields["people"].choices == [("member2", "刘芳")]
    assert fields["level"].choices[0] == ("1", "1")


def test_parse_converts_types():
    form = MultiDict([
        ("title", " 标题 "), ("body", "第一行\r\n第二行"), ("count", "3"), ("ratio", "0.5"), ("agree", "true"),
        ("confirm", "false"), ("day", "2026-03-01"), ("klass", "B"), ("level", "2"), ("unit", "czj"),
        ("units", "czj"), ("units", "fgw"), ("units", "czj"), ("people", "member2"), ("tags", "甲\n\n 乙 \n"),
        ("kinds", "乙"), ("typename", "boom"), ("nested", "x"), ("unknown", "y"),
    ])
    parsed = parse_form(SCHEMA, form, options_for)
    assert parsed.errors == {}
    assert parsed.data == {
        "title": "标题", "body": "第一行\n第二行", "count": 3, "ratio": 0.5, "agree": True, "confirm": False,
        "day": "2026-03-01", "klass": "B", "level": 2, "unit": "czj", "units": ["czj", "fgw"],
        "people": ["member2"], "tags": ["甲", "乙"], "kinds": ["乙"],
    }


def test_parse_omits_empty_inputs_and_reads_unchecked_boxes_as_false():
    parsed = parse_form(SCHEMA, MultiDict([("title", "  "), ("count", "")]))
    assert "title" not in parsed.data and "count" not in parsed.data and "confirm" not in parsed.data
    assert parsed.data["agree"] is False and parsed.data["units"] == [] and parsed.data["tags"] == []


def test_parse_reports_bad_numbers_and_choices_and_keeps_the_input(app):
    form = MultiDict([("count", "三"), ("ratio", "inf"), ("klass", "Z"), ("confirm", "maybe"), ("kinds", "丙"),
                      ("unit", "nowhere"), ("people", "member2"), ("people", "member9")])
    parsed = parse_form(SCHEMA, form, options_for)
    assert set(parsed.errors) == {"count", "ratio", "klass", "confirm", "kinds", "unit", "people"}
    assert parsed.errors["count"] == "请输入整数" and parsed.errors["ratio"] == "请输入数字"
    assert parsed.errors["unit"] == "请选择列出的选项"
    assert parsed.echo["count"] == "三" and "count" not in parsed.data
    assert parsed.echo["people"] == ["member2", "member9"] and "people" not in parsed.data


def test_without_options_pickers_take_any_code():
    parsed = parse_form(SCHEMA, MultiDict([("unit", "czj"), ("units", "x"), ("units", "y")]))
    assert parsed.data["unit"] == "czj" and parsed.data["units"] == ["x", "y"]


def render(fields) -> str:
    return render_template_string("{% import '_form.html' as form with context %}{{ form.fields(fields) }}",
                                  fields=fields)


def test_macros_render_every_widget(app):
    values = {"title": "旧标题", "agree": True, "klass": "B", "units": ["fgw"], "tags": ["甲", "乙"], "confirm": False}
    html = render(build_fields(SCHEMA, values, {"title": "内容过长"}, options_for))
    assert 'name="title" value="旧标题"' in html and 'maxlength="10"' in html
    assert '<span class="field-error" id="err-title" role="alert">内容过长</span>' in html
    assert '<textarea id="f-body" name="body"' in html
    assert 'type="number" step="1"' in html and 'type="date"' not in html  # the browser's own is in its language
    assert re.search(r'name="day" value=""\s+type="text" data-datepicker', html)
    assert 'name="agree" value="true" checked' in html
    assert 'name="confirm" value="false" checked' in html
    assert 'name="klass" value="B" checked' in html and "A 已解决" in html
    assert '<select id="f-unit" name="unit" data-picker' in html
    assert '<option value="czj" data-pinyin="czj caizhengju">财政局</option>' in html
    assert re.search(r'name="units" data-picker[^>]* multiple', html)
    assert '<option value="fgw" data-pinyin="fgw fagaiwei" selected>发改委</option>' in html
    assert "甲\n乙</textarea>" in html
    assert 'type="checkbox" name="kinds" value="甲"' in html
    assert "危险" not in html and "嵌套" not in html and "无类型" not in html and "数组" not in html
    assert html.count('<abbr class="req"') == 2


@pytest.mark.parametrize("path", sorted(FORMS.glob("*/*.json")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_form_renders_all_its_fields(app, path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    fields = build_fields(schema, {}, {}, options_for)
    assert {f.key for f in fields} == set(schema["properties"])
    html = render(fields)
    for prop in schema["properties"].values():
        assert prop["title"] in html
