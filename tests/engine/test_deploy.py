"""Deploy: versions by content hash, and the checks that refuse unsafe or unrunnable diagrams."""
from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from engine.definitions import deploy as definitions
from engine.people import directory as reference
from engine.errors import DeployError
from engine.models import ProcessVersion

from ..conftest import PROCESSES
from .diagrams import two_step

FORM = {"type": "object", "title": "审核", "properties": {"approve": {"type": "string", "title": "是否同意", "enum": ["是", "否"]}}}


@pytest.fixture
def roles(session, both_backends):
    reference.load_roles(session, PROCESSES)
    return definitions.role_names(session)


def _check(xml: str, roles, forms=None):
    return definitions.check(xml, {"forms/proposal/review.json": FORM} if forms is None else forms, roles)


def test_a_clean_diagram_passes(roles):
    checked = _check(two_step(), roles)
    assert checked.problems == []
    assert checked.process_key == "mini" and checked.name == "小流程"
    assert checked.lane_roles == {"政协办公室": "office"}


def test_import_in_a_gateway_condition_is_refused_naming_the_flow(session, roles):
    xml = two_step(condition=escape("__import__('os').system('id')"))
    with pytest.raises(DeployError) as caught:
        definitions.store(session, _check(xml, roles), None)
    assert [p.element_id for p in caught.value.problems] == ["f_yes"]
    assert "不允许" in caught.value.message
    assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 0


@pytest.mark.parametrize("condition", [
    "().__class__.__base__.__subclasses__()", "open('/etc/passwd')", "_secret", "(lambda: 1)()",
    "getattr(x, 'y')", "eval('1')",
])
def test_escapes_are_refused(roles, condition):
    problems = _check(two_step(condition=escape(condition)), roles).problems
    assert problems and problems[0].element_id == "f_yes"


@pytest.mark.parametrize("literal", ["P3D", "PT1H", "R3/PT1H", "2026-03-01T09:00:00", "2026-03-01T09:00:00+08:00"])
def test_an_unquoted_timer_literal_is_refused_with_the_quoting_message(roles, literal):
    problems = _check(two_step(timer=literal), roles).problems
    assert [p.element_id for p in problems] == ["t1"] and f'写成 "{literal}"' in problems[0].message
    assert _check(two_step(timer=f'"{literal}"'), roles).problems == []


def test_plain_and_manual_tasks_are_refused(roles):
    xml = two_step(extra_task='<bpmn:task id="plain" name="随便"/><bpmn:manualTask id="hand"/>')
    ids = {p.element_id for p in _check(xml, roles).problems}
    assert {"plain", "hand"} <= ids


def test_a_lane_that_is_no_role_is_refused(roles):
    problems = _check(two_step(lane="不存在的部门"), roles).problems
    assert problems[0].element_id == "lane_office" and "不存在的部门" in problems[0].message


@pytest.mark.parametrize("forms, fragment", [
    ({}, "不存在"),
    ({"forms/proposal/review.json": {"type": "object", "properties": {"typename": {"type": "string"}}}}, "typename"),
    ({"forms/proposal/review.json": {"type": "object", "properties": {"a": {"type": "nonsense"}}}}, "类型“nonsense”不存在"),
])
def test_bad_forms_are_refused(roles, forms, fragment):
    problems = _check(two_step(), roles, forms).problems
    assert problems[0].element_id == "review" and fragment in problems[0].message


def test_not_xml_and_not_executable_are_explained(roles):
    assert "XML" in _check("<bpmn:definitions", roles).problems[0].message
    not_executable = two_step().replace('isExecutable="true"', 'isExecutable="false"')
    assert "isExecutable" in _check(not_executable, roles).problems[0].message


def test_redeploying_unchanged_is_a_no_op_and_a_change_is_a_new_version(session, tmp_path, roles):
    (tmp_path / "forms" / "proposal").mkdir(parents=True)
    (tmp_path / "forms" / "proposal" / "review.json").write_text(json.dumps(FORM), encoding="utf-8")
    path = tmp_path / "mini.bpmn"
    path.write_text(two_step(), encoding="utf-8")
    first = definitions.deploy_file(session, path)
    assert definitions.deploy_file(session, path).id == first.id
    path.write_text(two_step().replace("审核", "复核"), encoding="utf-8")
    second = definitions.deploy_file(session, path)
    assert (first.version, second.version) == (1, 2)
    assert definitions.latest_version(session, "mini").id == second.id
    assert first.bpmn_xml != second.bpmn_xml


def test_a_form_change_alone_is_a_new_version(session, tmp_path, roles):
    (tmp_path / "forms" / "proposal").mkdir(parents=True)
    form_file = tmp_path / "forms" / "proposal" / "review.json"
    form_file.write_text(json.dumps(FORM), encoding="utf-8")
    (tmp_path / "mini.bpmn").write_text(two_step(), encoding="utf-8")
    first = definitions.deploy_file(session, tmp_path / "mini.bpmn")
    form_file.write_text(json.dumps({**FORM, "title": "复核"}), encoding="utf-8")
    second = definitions.deploy_file(session, tmp_path / "mini.bpmn")
    assert second.version == 2 and second.forms["forms/proposal/review.json"]["title"] == "复核"
