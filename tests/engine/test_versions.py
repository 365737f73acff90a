"""Working copies, deploy from the browser's copy, the version list, the semantic diff and restoring."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine.definitions import deploy as definitions, importing, working_copies as drafts, versions
from engine.errors import Conflict, DeployError, FormInvalid
from engine.models import ProcessVersion
from engine.definitions.records import DraftForm

from .diagrams import two_step

MIWG = Path(__file__).resolve().parents[1] / "fixtures" / "miwg"
REVIEW_DUE = '<spiffworkflow:property name="dueWorkingDays" value="10" />'


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    """versions are cached by database and row id; other tests' databases reuse the ids this test deploys."""
    monkeypatch.setattr(definitions, "_VERSIONS", {})


def _count(session, key: str = "proposal") -> int:
    return session.scalar(select(func.count()).select_from(ProcessVersion).where(ProcessVersion.process_key == key))


def test_the_working_copy_starts_as_the_latest_version(deployed):
    draft = drafts.get(deployed, "proposal")
    latest = definitions.latest_version(deployed, "proposal")
    assert draft.bpmn_xml == latest.bpmn_xml and draft.base_version == latest.version
    assert drafts.form_files(deployed, "proposal") == latest.forms


def test_rename_and_new_deadline_deploy_as_a_new_version(deployed, users, both_backends):
    admin = users.admin
    draft = drafts.get(deployed, "proposal")
    xml = draft.bpmn_xml.replace('name="审查立案"', 'name="审查立案并分类"').replace(
        REVIEW_DUE, REVIEW_DUE.replace('"10"', '"5"'))
    version = drafts.deploy(deployed, "proposal", admin, xml)
    assert version.version == 2 and version.deployed_by_id == admin.id
    assert version.forms == definitions.latest_version(deployed, "proposal").forms
    changes = versions.diff(versions.get(deployed, "proposal", 1), version)
    assert [(c.kind, c.element_id, c.name) for c in changes] == [("changed", "review", "审查立案并分类")]
    assert changes[0].details == [("名称", "审查立案", "审查立案并分类"), ("办理时限（工作日）", "10", "5")]
    with pytest.raises(Conflict):  # nothing changed since
        drafts.deploy(deployed, "proposal", admin)


def test_a_problem_stops_deploy_and_names_the_element(deployed, users):
    xml = drafts.get(deployed, "proposal").bpmn_xml.replace(REVIEW_DUE, REVIEW_DUE.replace('"10"', '"十"'))
    with pytest.raises(DeployError) as caught:
        drafts.deploy(deployed, "proposal", users.admin, xml)
    assert [(p.element_id, p.message) for p in caught.value.problems] == [("review", "办理时限（工作日）必须是整数")]
    assert _count(deployed) == 1


def test_forms_are_versioned_with_the_diagram(deployed, users, both_backends):
    path = "forms/proposal/review.json"
    schema = {**drafts.form_files(deployed, "proposal")[path], "title": "审查立案（修订）"}
    drafts.save_form(deployed, "proposal", path, schema, users.admin)
    version = drafts.deploy(deployed, "proposal", users.admin)
    assert version.forms[path]["title"] == "审查立案（修订）"
    assert versions.get(deployed, "proposal", 1).forms[path]["title"] != "审查立案（修订）"
    form_change = [c for c in versions.diff(versions.get(deployed, "proposal", 1), version) if c.element_type == "表单"]
    assert form_change[0].element_id == path and form_change[0].details[0][0] == "标题"


@pytest.mark.parametrize("schema, path", [
    ({"type": "object", "properties": {"a": {"type": "nonsense"}}}, "forms/proposal/review.json"),
    ({"type": "string"}, "forms/proposal/review.json"),
    ({"type": "object", "properties": {"typename": {"type": "string"}}}, "forms/proposal/review.json"),
    ({"type": "object"}, "../secret.json"),
])
def test_invalid_forms_are_refused_and_nothing_changes(deployed, users, schema, path):
    before = drafts.form_files(deployed, "proposal")
    with pytest.raises(FormInvalid):
        drafts.save_form(deployed, "proposal", path, schema, users.admin)
    deployed.rollback()
    assert drafts.form_files(deployed, "proposal") == before


def test_restore_makes_an_old_version_the_newest(deployed, users, both_backends):
    original = definitions.latest_version(deployed, "proposal")
    drafts.deploy(deployed, "proposal", users.admin,
                  drafts.get(deployed, "proposal").bpmn_xml.replace('name="审查立案"', 'name="审查"'))
    restored = versions.restore(deployed, "proposal", 1, users.admin)
    assert restored.version == 3 and restored.bpmn_xml == original.bpmn_xml and restored.forms == original.forms
    assert drafts.get(deployed, "proposal").bpmn_xml == original.bpmn_xml
    assert [v.version for v, _user in versions.history(deployed, "proposal")] == [3, 2, 1]
    with pytest.raises(Conflict):
        versions.restore(deployed, "proposal", 3, users.admin)


def test_diff_reports_added_removed_and_moved_to_another_lane():
    old = two_step()
    new = (two_step(extra_task='<bpmn:scriptTask id="calc" name="计算"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>')
           .replace('<bpmn:endEvent id="other"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>', "")
           .replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")
           .replace("</bpmn:laneSet>", '<bpmn:lane id="lane2" name="提案委员会"><bpmn:flowNodeRef>review</bpmn:flowNodeRef>'
                                       "</bpmn:lane></bpmn:laneSet>"))
    changes = {(c.kind, c.element_id): c for c in versions.diff_xml(old, new)}
    assert ("added", "calc") in changes and changes[("added", "calc")].element_type == "脚本任务"
    assert ("removed", "other") in changes and ("added", "lane2") in changes
    assert ("名称", "", "") not in changes[("changed", "review")].details
    assert ("泳道", "政协办公室", "提案委员会") in changes[("changed", "review")].details


def test_a_new_procedure_from_the_template_deploys_and_is_startable(deployed, users):
    drafts.create(deployed, "visit_record", "走访记录", users.admin)
    assert sorted(drafts.form_files(deployed, "visit_record")) == ["forms/visit_record/handle.json",
                                                                    "forms/visit_record/start.json"]
    version = drafts.deploy(deployed, "visit_record", users.admin)
    assert version.version == 1 and version.lane_roles == {"政协办公室": "office"}
    assert "visit_record" in {v.process_key for v in definitions.startable_processes(deployed, users.office1)}
    with pytest.raises(Conflict):
        drafts.create(deployed, "visit_record", "重复", users.admin)


@pytest.mark.parametrize("key", ["Visit", "1abc", "a", "a-b"])  # an empty key is made from the name
def test_template_keys_must_be_simple(deployed, users, key):
    with pytest.raises(Exception) as caught:
        drafts.create(deployed, key, "名称", users.admin)
    assert "流程编号" in str(caught.value)


@pytest.mark.parametrize("path", sorted(MIWG.glob("*.bpmn")), ids=lambda p: p.stem)
def test_miwg_diagrams_import_and_validation_explains_why_they_cannot_run(deployed, users, path):
    draft = importing.import_file(deployed, path.read_bytes(), path.name, users.admin)
    _checked, problems = drafts.validate(deployed, draft.key)
    assert problems, "a MIWG diagram has nothing this product can run as is"
    for problem in problems:
        assert problem.message and not problem.message.startswith("流程引擎无法加载此图：Traceback")
    root = etree.fromstring(path.read_bytes())
    drawn = {n.get("bpmnElement") for n in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape",
                                                        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
    assert all(p.element_id in drawn for p in problems if p.element_id)
    with pytest.raises(DeployError):
        drafts.deploy(deployed, draft.key, users.admin)


def test_miwg_reasons_are_in_chinese(deployed, users):
    reasons = {}
    for name in ("A.1.0", "C.1.1", "C.3.0", "C.6.0"):
        draft = importing.import_file(deployed, (MIWG / f"{name}.bpmn").read_bytes(), f"{name}.bpmn", users.admin)
        reasons[name] = " ".join(p.message for p in drafts.validate(deployed, draft.key)[1])
    assert "不可执行" in reasons["A.1.0"] and "普通任务" in reasons["A.1.0"]
    assert "数据存储" in reasons["C.1.1"] and "没有泳道" in reasons["C.1.1"]
    assert "子流程中必须有且只有一个开始事件" in reasons["C.3.0"]
    assert "数据关联" in reasons["C.6.0"] and "服务任务" in reasons["C.6.0"]


def test_draft_forms_go_with_their_working_copy(deployed, users):
    drafts.create(deployed, "visit_record", "走访记录", users.admin)
    assert deployed.scalar(select(func.count()).select_from(DraftForm).where(DraftForm.draft_key == "visit_record")) == 2


def test_saving_keeps_the_layout_of_elements_the_modeler_does_not_draw(deployed, users):
    raw = (MIWG / "B.1.0.bpmn").read_bytes()
    draft = importing.import_file(deployed, raw, "B.1.0.bpmn", users.admin)
    root = etree.fromstring(raw)
    start_di = next(n for n in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
                    if n.get("bpmnElement") == "_200f43e7-1385-46e2-a380-3ef16ebe7847")
    start_di.getparent().remove(start_di)  # what bpmn-js leaves out: a called process drawn inside its caller
    drafts.save(deployed, draft.key, etree.tostring(root, encoding="unicode"), users.admin)
    assert 'bpmnElement="_200f43e7-1385-46e2-a380-3ef16ebe7847"' in drafts.get(deployed, draft.key).bpmn_xml


def test_discarding_the_working_copy_starts_again_from_the_latest_version(deployed, users, both_backends):
    drafts.save(deployed, "proposal", drafts.get(deployed, "proposal").bpmn_xml.replace("审查立案", "改坏了"), users.admin)
    assert drafts.discard(deployed, "proposal") is True
    assert "改坏了" not in drafts.get(deployed, "proposal").bpmn_xml
    drafts.create(deployed, "visit_record", "走访记录", users.admin)
    assert drafts.discard(deployed, "visit_record") is False
    assert deployed.get(DraftForm, 1) is None or deployed.scalar(
        select(func.count()).select_from(DraftForm).where(DraftForm.draft_key == "visit_record")) == 0


def test_a_changed_process_id_is_pinned_to_its_pool(deployed, users):
    xml = drafts.get(deployed, "proposal").bpmn_xml.replace('id="proposal" name="提案办理"', 'id="other" name="提案办理"')
    xml = xml.replace('processRef="proposal"', 'processRef="other"')
    _checked, problems = drafts.validate(deployed, "proposal", xml)
    assert [p.element_id for p in problems if "须保持为 proposal" in p.message] == ["proposal_participant"]


def test_a_latin_1_file_keeps_its_accented_names(deployed, users):
    xml = two_step().replace('name="审核"', 'name="Révision"').replace("小流程", "Procédure").replace(
        '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>')
    draft = importing.import_file(deployed, xml.encode("iso-8859-1", "xmlcharrefreplace"), "latin.bpmn", users.admin)
    assert draft.name == "Procédure" and 'name="Révision"' in draft.bpmn_xml
