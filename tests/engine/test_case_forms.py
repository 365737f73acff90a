"""Server-side validation of repeated groups (arrays of objects) and file fields."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import FormInvalid
from engine.definitions.forms import schema_problems, validate

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "case_material" / "forms" / "material" / "submit.json")
                    .read_text(encoding="utf-8"))
BASE = {"subject": "材料", "kind": "report", "attachment": 7}


def test_the_sample_form_is_a_valid_schema():
    assert schema_problems(SCHEMA) == []


def test_rows_are_cleaned_filled_and_whitelisted():
    rows = [{"name": "王五", "phone": "", "typename": "x", "extra": 1}, {"name": "", "unit": None}, {"name": "赵六"}]
    clean = validate(SCHEMA, {**BASE, "participants": rows})
    assert clean["participants"] == [
        {"name": "王五", "unit": None, "phone": None, "speaker": None},
        {"name": "赵六", "unit": None, "phone": None, "speaker": None}]
    assert clean["attachment"] == 7 and clean["topics"] == [] and clean["other_kind"] is None


def test_cell_errors_name_row_and_column():
    rows = [{"name": "王五", "phone": "abc"}, {"unit": "czj"}]
    with pytest.raises(FormInvalid) as caught:
        validate(SCHEMA, {**BASE, "participants": rows})
    assert caught.value.errors == {"participants.0.phone": "内容不符合要求", "participants.1.name": "此项必填"}


def test_a_group_left_blank_is_missing_and_too_few_rows_say_rows():
    with pytest.raises(FormInvalid) as caught:
        validate(SCHEMA, {**BASE, "participants": [{"name": ""}]})
    assert caught.value.errors == {"participants": "至少填写 1 行"}
    with pytest.raises(FormInvalid) as caught:
        validate(SCHEMA, {k: v for k, v in BASE.items() if k != "attachment"})
    assert caught.value.errors == {"attachment": "此项必填", "participants": "此项必填"}


def test_conditional_requirement_and_choice_errors_stay_top_level():
    with pytest.raises(FormInvalid) as caught:
        validate(SCHEMA, {**BASE, "kind": "other", "topics": ["经济", "外星"], "participants": [{"name": "甲"}]})
    assert caught.value.errors == {"other_kind": "此项必填", "topics": "请从给定选项中选择"}


def test_file_field_takes_an_id():
    with pytest.raises(FormInvalid) as caught:
        validate(SCHEMA, {**BASE, "attachment": "abc", "participants": [{"name": "甲"}]})
    assert caught.value.errors == {"attachment": "格式不正确"}
