"""MIWG reference diagrams: the modeler offers the fix-ups that make an executable model publishable (plain tasks to
user tasks, lanes to roles, `${…}`/FEEL conditions to the expression language, pools of other participants removed,
ISO timers quoted …) and 11 of the 21 reach 已发布 with them alone; what no fix-up can do is named in Chinese."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.definitions import fixups
from engine.models import ProcessVersion

from .helpers import scalar
from .test_import import ask, confirm, fields

MIWG = Path(__file__).resolve().parents[1] / "fixtures" / "miwg"
PUBLISHABLE = ["A.1.0", "A.3.0", "A.4.0", "A.4.1", "C.1.0", "C.1.1", "C.8.0", "C.8.1", "C.9.1", "C.9.2", "C.9.0"]
OFFICE = "政协办公室"


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


def imported(client, stem: str) -> str:
    page = ask(client, (MIWG / f"{stem}.bpmn").read_bytes(), f"{stem}.bpmn")
    key = fields(page)["key"]
    assert confirm(client, page).status_code == 302
    return key


def fix_all(client, key: str) -> dict:
    """Validate, apply every offered fix-up (lanes given the office's role) until none is offered; the last result."""
    xml = client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True)
    for _round in range(3):
        result = client.post(f"/modeler/{key}/validate", json={"xml": xml}).json
        if not result["fixes"]:
            return result
        lanes = {lane["id"]: OFFICE for fix in result["fixes"] for lane in fix["lanes"]}
        applied = client.post(f"/modeler/{key}/fixups", json={
            "xml": xml, "kinds": [fix["kind"] for fix in result["fixes"]], "lanes": lanes, "role": OFFICE})
        assert applied.status_code == 200, applied.json
        xml = applied.json["xml"]
        assert client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True) == xml  # saved as the working copy
    return client.post(f"/modeler/{key}/validate", json={"xml": xml}).json


def test_eleven_of_the_twenty_one_reach_published_with_the_offered_fixups(client, auth, db):
    auth.as_("admin")
    published = []
    for stem in PUBLISHABLE:  # C.9.1 before C.9.2 before C.9.0: each calls the one before by its process id
        key = imported(client, stem)
        before = client.post(f"/modeler/{key}/deploy", json={
            "xml": client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True)})
        assert before.status_code == 422  # not as it comes
        result = fix_all(client, key)
        assert result["problems"] == [], (stem, result["problems"])
        xml = client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True)
        deployed = client.post(f"/modeler/{key}/deploy", json={"xml": xml})
        assert deployed.status_code == 200, (stem, deployed.json)
        assert scalar(db, select(ProcessVersion.version).where(ProcessVersion.process_key == key)) == 1
        published.append(stem)
    assert len(published) == 11


def test_the_offered_fixups_of_c_1_0_are_named_in_chinese(client, auth, db):
    auth.as_("admin")
    key = imported(client, "C.1.0")
    xml = client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True)
    fixes = {fix["kind"]: fix for fix in client.post(f"/modeler/{key}/validate", json={"xml": xml}).json["fixes"]}
    assert {"pools", "tasks", "lanes", "conditions"} <= set(fixes)
    assert "“Team-Assistant”" in fixes["pools"]["message"]
    assert "${!approved} → not approved" in fixes["conditions"]["message"]
    assert "“Archive Invoice”" in fixes["tasks"]["message"]
    assert {lane["name"] for lane in fixes["lanes"]["lanes"]} == {"Approver", "Team Assistant", "Accountant"}


def test_a_lane_must_be_given_an_existing_role_and_nothing_changes_otherwise(client, auth, db):
    auth.as_("admin")
    key = imported(client, "A.4.0")
    xml = client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True)
    refused = client.post(f"/modeler/{key}/fixups", json={"xml": xml, "kinds": ["lanes"],
                                                          "lanes": {"_17bebb0f-f31e-475a-b1b1-76fcc2da172b": "老板"}})
    assert refused.status_code == 422 and "已有的角色" in refused.json["error"]
    assert client.get(f"/modeler/{key}/diagram.bpmn").get_data(as_text=True) == xml


@pytest.mark.parametrize("stem, named", [
    ("A.2.0", "既没有条件、也不是默认流向"),  # which branch to take is not in the diagram: the owner writes it
    ("B.1.0", "定时器没有填写时间表达式"),
    ("C.6.0", "定时器没有填写时间表达式"),
])
def test_what_no_fixup_can_do_stays_named(client, auth, db, stem, named):
    auth.as_("admin")
    key = imported(client, stem)
    result = fix_all(client, key)
    assert any(named in problem["message"] for problem in result["problems"]), result["problems"]


@pytest.mark.parametrize("source, expected", [
    ("${approved}", "approved"),
    ("${!approved}", "not approved"),
    ("${clarified == 'yes' && amount > 10}", "clarified == 'yes' and amount > 10"),
    ("= not(approved)", "not(approved)"),
    ('= some risk in riskLevels satisfies risk = "red"', 'any(risk == "red" for risk in riskLevels)'),
    ("bpmn:getDataObject('clarified') = 'yes'", "clarified == 'yes'"),
    ('Vacation Approval = "Approved"', 'Vacation_Approval == "Approved"'),
    ("${order.total > 10}", None),  # attribute access: not in the language, left for the owner
])
def test_conditions_are_rewritten_only_into_valid_expressions(source, expected):
    assert fixups.rewrite_condition(source) == expected
