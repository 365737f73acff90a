"""Renderer and parser for repeated groups, file fields and conditional fields (no database)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from web.forms import build_fields, parse_form, show_conditions, widget_for

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "case_material" / "forms" / "material" / "submit.json").read_text("utf-8"))
REVIEW = json.loads((ROOT / "processes" / "forms" / "proposal" / "review.json").read_text("utf-8"))


def options_for(kind: str):
    return {"unit": [("czj", "县财政局"), ("fgw", "县发改委")], "member": [("member2", "刘芳")]}[kind]


@pytest.fixture
def app():
    app = Flask(__name__, template_folder=str(ROOT / "web" / "templates"))
    Babel(app, default_locale="zh_CN")
    with app.app_context():
        yield app


def fields(values=None, errors=None):
    return {f.key: f for f in build_fields(SCHEMA, values or {}, errors or {}, options_for)}


def test_widgets():
    props = SCHEMA["properties"]
    assert widget_for(props["participants"]) == "group" and widget_for(props["attachment"]) == "file"
    assert widget_for({"type": "array", "items": {"type": "object", "properties": {"x": {"type": "object"}}}}) is None
    assert widget_for({"type": "boolean", "x-widget": "file"}) == "checkbox"


def test_a_new_group_offers_blank_rows_and_a_row_template():
    group = fields()["participants"]
    assert group.required and group.min_rows == 1 and len(group.rows) == 2
    assert [c.key for c in group.rows[1]] == ["participants.1.name", "participants.1.unit", "participants.1.phone",
                                             "participants.1.speaker"]
    assert [c.widget for c in group.columns] == ["text", "select", "text", "checkbox"]
    assert group.columns[0].key == "participants.__i__.name" and group.columns[0].required
    assert group.columns[1].choices == [("czj", "县财政局"), ("fgw", "县发改委")]


def test_filled_rows_get_one_blank_row_and_cell_errors():
    group = fields({"participants": [{"name": "王五"}, {"name": "赵六", "phone": "x"}]},
                   {"participants.1.phone": "内容不符合要求"})["participants"]
    assert [row[0].value for row in group.rows] == ["王五", "赵六", None]
    assert group.rows[1][2].error == "内容不符合要求" and group.error == "请按提示修改下面的行"


def test_rows_kept_by_a_draft_are_shown_as_they_are():
    group = fields({"participants": [{"name": "王五"}, {}, {}]})["participants"]
    assert len(group.rows) == 3


def test_parse_rows_converts_cells_and_drops_blank_rows():
    form = MultiDict([("participants.0.name", "王五"), ("participants.0.unit", "czj"), ("participants.0.speaker", "true"),
                      ("participants.1.name", " "), ("participants.4.name", "赵六"), ("participants.4.unit", "nowhere"),
                      ("participants.5.name", ""), ("participants.x.name", "ignored"), ("attachment", "12")])
    parsed = parse_form(SCHEMA, form, options_for)
    assert parsed.data["participants"][0] == {"name": "王五", "unit": "czj", "speaker": True}
    assert parsed.data["participants"][1]["name"] == "赵六" and len(parsed.data["participants"]) == 2
    assert parsed.errors == {"participants.1.unit": "请选择列出的选项"}
    assert parsed.data["attachment"] == 12
    assert [row["name"] for row in parsed.echo["participants"]] == ["王五", "赵六", ""]  # trailing blank kept


def test_bad_attachment_value():
    parsed = parse_form(SCHEMA, MultiDict([("attachment", "../etc")]), options_for)
    assert parsed.errors == {"attachment": "附件无效，请重新上传"}


def test_show_conditions_from_if_then():
    assert show_conditions(SCHEMA) == {"other_kind": {"kind": ["other"]}}
    assert show_conditions(REVIEW) == {"reason": {"decision": ["不立案", "并案"]}, "merge_into": {"decision": ["并案"]},
                                       "lead_leader": {"is_key": ["true"]}, "oversight_leader": {"is_key": ["true"]}}
    built = fields()
    assert built["other_kind"].show_if == {"kind": ["other"]} and built["subject"].show_if == {}


def test_group_and_conditional_markup(app):
    html = render_template_string("{% import '_form.html' as form with context %}{{ form.fields(fields) }}",
                                  fields=build_fields(SCHEMA, {}, {}, options_for))
    assert 'data-group="participants"' in html and '<template class="row-template">' in html
    assert 'name="participants.__i__.name"' in html and "第 __n__ 行" in html
    assert 'name="participants.0.name"' in html and 'name="participants.1.name"' in html
    assert 'data-show-if="{&#34;kind&#34;: [&#34;other&#34;]}"' in html
    assert 'type="button" class="secondary add-row" hidden' in html  # no task: the script adds rows
    assert "提交后可在事项页面上传附件" in html  # no task: no upload here
