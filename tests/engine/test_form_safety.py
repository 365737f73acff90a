"""Form schemas never fetch anything and never backtrack: `$ref` stays inside the form, `pattern` runs on RE2."""
from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from engine.definitions import deploy as definitions, forms, working_copies as drafts
from engine.errors import DeployError, FormInvalid

from .diagrams import two_step

ROOT = Path(__file__).resolve().parents[2]
FORM = "forms/proposal/review.json"


def _form(**field) -> dict:
    return {"type": "object", "properties": {"name": {"type": "string", "title": "姓名", **field}}, "required": ["name"]}


REMOTE = [{"$ref": "http://127.0.0.1:9/evil.json"}, {"$ref": "file:///etc/passwd"}, {"$ref": "other.json"},
          {"$dynamicRef": "https://example.org/x"}]


@pytest.fixture
def no_network(monkeypatch):
    """Every URL open is recorded and fails: a test sees whether validation tried to fetch."""
    opened = []

    def urlopen(request, *args, **kwargs):
        opened.append(getattr(request, "full_url", request))
        raise OSError("no network in tests")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return opened


@pytest.mark.parametrize("ref", REMOTE)
def test_a_reference_outside_the_form_is_refused(ref):
    problems = forms.schema_problems({"type": "object", "properties": {"name": ref}})
    assert problems and "不能引用外部定义" in problems[0]


def test_references_inside_the_form_are_fine_and_validate_without_fetching(no_network):
    schema = {"type": "object", "$defs": {"phone": {"type": "string", "pattern": "^[0-9]{11}$"}},
              "properties": {"phone": {"title": "手机", "$ref": "#/$defs/phone"}}}
    assert forms.schema_problems(schema) == []
    assert forms.validate(schema, {"phone": "13800000000"})["phone"] == "13800000000"
    with pytest.raises(FormInvalid) as caught:
        forms.validate(schema, {"phone": "12"})
    assert caught.value.errors == {"phone": "内容不符合要求"}
    assert no_network == []


@pytest.mark.parametrize("ref", REMOTE[:2])
def test_a_stored_form_with_a_remote_reference_is_refused_without_fetching(no_network, ref):
    """A form deployed before the check (already in the database) is validated with a registry of the form alone."""
    schema = {"type": "object", "properties": {"name": ref}}
    with pytest.raises(FormInvalid) as caught:
        forms.validate(schema, {"name": "x"})
    assert "表单以外的定义" in caught.value.message
    assert no_network == []


def test_saving_a_form_with_a_remote_reference_changes_nothing(deployed, users, both_backends, no_network):
    before = drafts.form_files(deployed, "proposal")
    with pytest.raises(FormInvalid) as caught:
        drafts.save_form(deployed, "proposal", FORM, _form(**{"$ref": "http://127.0.0.1:9/x"}), users.admin)
    assert "不能引用外部定义" in caught.value.errors["schema"]
    deployed.rollback()
    assert drafts.form_files(deployed, "proposal") == before and no_network == []


def test_deploying_a_diagram_whose_form_refers_outside_is_refused(no_network):
    checked = definitions.check(two_step(), {FORM: _form(**{"$ref": "file:///etc/passwd"})}, {"政协办公室": "office"})
    assert [p.element_id for p in checked.problems] == ["review"]
    assert "不能引用外部定义" in checked.problems[0].message
    with pytest.raises(DeployError):
        definitions.store(None, checked, None)
    assert no_network == []


# --- patterns ---------------------------------------------------------------------------------------------------

def test_a_catastrophic_pattern_is_matched_in_linear_time():
    """`^(a+)+$` against 40 a's and a "!" takes Python's backtracking re about 2^40 steps (hours); RE2 answers at
    once. Run in a child process with a generous bound (60 s), which the old code exceeds by orders of magnitude."""
    code = ("from engine.definitions import forms\n"
            "from engine.errors import FormInvalid\n"
            "s = {'type': 'object', 'properties': {'name': {'type': 'string', 'pattern': '^(a+)+$', 'maxLength': 200000}}}\n"
            "for n in (40, 100000):\n"
            "    try:\n"
            "        forms.validate(s, {'name': 'a' * n + '!'})\n"
            "    except FormInvalid as err:\n"
            "        assert err.errors == {'name': '内容不符合要求'}, err.errors\n"
            "    else:\n"
            "        raise SystemExit('accepted')\n"
            "assert forms.validate(s, {'name': 'a' * 100000})['name'] == 'a' * 100000\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize("field", [{"pattern": "^(a)\\1$"}, {"pattern": "^(?=a)a$"}])
def test_a_pattern_re2_cannot_run_is_refused_on_saving(field):
    problems = forms.schema_problems(_form(**field))
    assert problems and "无法使用" in problems[0]


def test_pattern_properties_are_refused():
    schema = {"type": "object", "properties": {"x": {"type": "object", "title": "附加", "patternProperties": {"^(a+)+$": {}}}}}
    assert forms.schema_problems(schema) == ["表单不支持 patternProperties：请逐个列出字段"]


def test_a_stored_form_with_pattern_properties_matches_keys_with_re2():
    schema = {"type": "object", "properties": {"x": {"type": "object", "patternProperties": {"^(a+)+$": {"type": "integer"}},
                                                     "additionalProperties": False}}}
    with pytest.raises(FormInvalid) as caught:
        forms.validate(schema, {"x": {"a" * 20 + "!": 1}})
    assert caught.value.errors == {"x": "内容不符合要求"}
    assert forms.validate(schema, {"x": {"aaa": 1}})["x"] == {"aaa": 1}


def test_saving_a_form_with_a_pattern_re2_cannot_run_changes_nothing(deployed, users, both_backends):
    before = drafts.form_files(deployed, "proposal")
    with pytest.raises(FormInvalid) as caught:
        drafts.save_form(deployed, "proposal", FORM, _form(pattern="(a)\\1"), users.admin)
    assert "无法使用" in caught.value.errors["schema"]
    deployed.rollback()
    assert drafts.form_files(deployed, "proposal") == before
