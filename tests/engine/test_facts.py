"""A procedure is its diagram: records read their status from the diagram, and a version that drops or renames an
element a record depends on is refused at validate and deploy, naming the element and the record."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine.definitions import deploy as definitions, working_copies as drafts, facts
from engine import procedures, registry
from engine.errors import DeployError
from engine.models import ProcessVersion

from ..conftest import PROCESSES
from .flow import Flow

REVIEW_LABEL = '<spiffworkflow:property name="statusLabel" value="待审查" />'


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    """versions are cached by database and row id; other tests' databases reuse the ids this test deploys."""
    monkeypatch.setattr(definitions, "_VERSIONS", {})


@pytest.fixture
def flow(deployed, users, both_backends):
    return Flow(deployed, users)


def _rename(xml: str, old: str, new: str) -> str:
    """The same diagram with element `old` given the id `new` (every reference follows, as the modeler does)."""
    return re.sub(rf'(?<=[">]){old}(?=["<])', new, xml)


def _draft(session, key: str) -> str:
    return drafts.get(session, key).bpmn_xml


def _versions(session, key: str) -> int:
    return session.scalar(select(func.count()).select_from(ProcessVersion).where(ProcessVersion.process_key == key))


def test_renaming_a_step_a_record_reads_is_refused_naming_the_step_and_the_record(flow, users):
    session = flow.session
    xml = _rename(_draft(session, "proposal"), "handle", "reply")
    _checked, problems = drafts.validate(session, "proposal", xml)
    messages = [p.message for p in problems]
    assert messages == ["步骤 handle（办理答复）被删除或改名：提案记录（答复期限、督办同意的延期）依赖它。"]
    with pytest.raises(DeployError) as refused:
        drafts.deploy(session, "proposal", users.admin, xml)
    assert "步骤 handle（办理答复）" in refused.value.message and "提案记录" in refused.value.message
    session.rollback()
    assert _versions(session, "proposal") == 1


def test_deleting_a_step_one_of_several_diagrams_has_is_refused_only_there(flow, users):
    session = flow.session
    xml = _rename(_draft(session, "plenary"), "speech", "speech_material")
    _checked, problems = drafts.validate(session, "plenary", xml)
    assert [p.message for p in problems] == [
        "步骤 speech（提交大会发言材料）被删除或改名：协商活动记录（大会发言）依赖它。"]
    assert "speech" not in _draft(session, "counterpart")  # it never had one: its versions need none
    assert drafts.validate(session, "counterpart", _draft(session, "counterpart"))[1] == []


def test_a_called_diagram_a_record_reads_may_not_be_dropped(flow, users):
    session = flow.session
    xml = _draft(session, "sheqing").replace('calledElement="outcome"', 'calledElement="annual_plan"')
    problems = [p.message for p in drafts.validate(session, "sheqing", xml)[1]]
    assert "调用流程 outcome 的调用活动被删除：社情民意记录（报送去向、领导批示、办理情况和反馈）依赖它。" in problems


def test_restoring_a_version_goes_through_the_same_check(flow, users):
    session = flow.session
    root = etree.fromstring(_draft(session, "outcome").encode("utf-8"))
    new = etree.fromstring(_rename(_draft(session, "outcome"), "county_read", "county_reading").encode("utf-8"))
    assert [p.message for p in facts.problems(new, "outcome", root)] == [
        "步骤 county_read（领导阅批（县委））被删除或改名：协商成果记录（县委领导阅批和批示）依赖它。"]
    assert facts.problems(root, "outcome", root) == []
    assert facts.problems(new, "outcome", None)  # a first version must have every step a single record reads


def test_labels_lanes_deadlines_and_new_steps_are_accepted(flow, users):
    session = flow.session
    xml = _add_step_between(_draft(session, "proposal"), "pre_check", "预审")
    xml = xml.replace('name="办理答复"', 'name="办理并答复"').replace(REVIEW_LABEL, REVIEW_LABEL.replace("待审查", "审查中"))
    xml = xml.replace('<spiffworkflow:property name="dueWorkingDays" value="10" />',
                      '<spiffworkflow:property name="dueWorkingDays" value="15" />')
    _checked, problems = drafts.validate(session, "proposal", xml)
    assert problems == []
    assert drafts.deploy(session, "proposal", users.admin, xml).version == 2
    session.commit()
    instance = flow.submit()
    assert flow.open_ids(instance) == ["pre_check"] and flow.proposal(instance).status == "办理中"


def _add_step_between(xml: str, step: str, name: str) -> str:
    """`step` inserted before 审查立案 in the same lane: the flow into review now enters `step` first."""
    match = re.search(r'<bpmn:sequenceFlow id="(\w+)" sourceRef="(\w+)" targetRef="review" />', xml)
    flow_id, source = match.group(1), match.group(2)
    xml = xml.replace(match.group(0), f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{step}" />'
                                      f'<bpmn:sequenceFlow id="f_{step}" sourceRef="{step}" targetRef="review" />')
    xml = xml.replace('<bpmn:userTask id="review"', f'<bpmn:userTask id="{step}" name="{name}">'
                      f'<bpmn:incoming>{flow_id}</bpmn:incoming><bpmn:outgoing>f_{step}</bpmn:outgoing>'
                      '</bpmn:userTask><bpmn:userTask id="review"', 1)
    xml = xml.replace(f"<bpmn:incoming>{flow_id}</bpmn:incoming>\n", f"<bpmn:incoming>f_{step}</bpmn:incoming>\n", 1)
    return xml.replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>",
                       f"<bpmn:flowNodeRef>{step}</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef>")


def test_a_status_label_changed_in_the_diagram_shows_for_new_instances(flow, users):
    session = flow.session
    old = flow.submit()
    assert flow.proposal(old).status == "待审查"
    xml = _draft(session, "proposal").replace(REVIEW_LABEL, REVIEW_LABEL.replace("待审查", "待提案委员会审查"))
    drafts.deploy(session, "proposal", users.admin, xml)
    session.commit()
    new = flow.submit("member2")
    assert flow.proposal(new).status == "待提案委员会审查"
    flow.do("tiwei", old, "review", {"decision": "立案"})  # the running one stays on its version and its labels
    assert flow.proposal(old).status == "待交办"


def _shipped_ids() -> set[str]:
    tags = ("userTask", "endEvent", "intermediateCatchEvent", "callActivity", "boundaryEvent")
    found = set()
    for path in PROCESSES.glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        for tag in tags:
            found |= {n.get("id") for n in root.iter(f"{{{facts.B}}}{tag}")}
    return found


def test_projectors_name_steps_only_through_their_declared_requirements():
    """No step id as a literal outside a `Requires(...)` declaration (data keys it declares aside) and no status
    table: a status a list shows comes from the diagram."""
    ids = _shipped_ids()
    declared_data = set().union(*(r.data for r in registry.get().requirements)) | {"outcome"}  # also a process key
    not_steps = {("duty/assessment.py", "record"), ("supervision/sheqing.py", "feedback"),  # columns of their records
                 ("proposal/projection.py", "invited"), ("proposal/records.py", "invited")}  # a co-signer's answer
    folder = Path(procedures.__file__).parent
    offenders = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "Requires", "step", "each", "call"):
                inside |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids
                    and node.value not in declared_data and id(node) not in inside
                    and (path.relative_to(folder).as_posix(), node.value) not in not_steps):
                offenders.append(f"{path.relative_to(folder)}:{node.lineno} {node.value}")
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "").endswith("_STATUS") for t in node.targets):
                offenders.append(f"{path.relative_to(folder)}:{node.lineno} status table")
    assert offenders == [], offenders
