"""导入流程图: an import brings the forms the diagram names (zipped with it, picked beside it, or already there for
that procedure), proposes a key in the product's form that the owner may change, and asks before replacing."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import func, select

from engine.definitions.records import DraftDiagram, DraftForm
from engine.models import ProcessVersion

from .helpers import scalar, text

ROOT = Path(__file__).resolve().parents[2]
MIWG = ROOT / "tests" / "fixtures" / "miwg"
PROPOSAL = ROOT / "processes" / "proposal.bpmn"


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


def ask(client, raw: bytes, name: str, forms: list[tuple[str, bytes]] = ()):
    data = {"file": (io.BytesIO(raw), name)}
    if forms:
        data["forms"] = [(io.BytesIO(content), filename) for filename, content in forms]
    response = client.post("/modeler/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, text(response)
    return response


def fields(response) -> dict:
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    return {i.get("name"): i.get("value") or "" for i in doc.xpath("//form[contains(@class,'import-confirm')]//input")
            if i.get("name") and i.get("type") != "checkbox"}


def confirm(client, response, **changes):
    return client.post("/modeler/import/confirm", data={**fields(response), **changes})


def drafts_count(db) -> int:
    return scalar(db, select(func.count()).select_from(DraftDiagram))


def test_asking_writes_nothing_and_proposes_a_key_in_the_products_form(client, auth, db):
    auth.as_("admin")
    before = drafts_count(db)
    page = ask(client, (MIWG / "C.8.1.bpmn").read_bytes(), "C.8.1.bpmn")
    assert drafts_count(db) == before
    assert fields(page)["key"] == "vacation_request_process"  # from the process id VacationRequestProcess
    assert "VacationRequestProcess" in text(page) and "保持不变" in text(page)
    done = confirm(client, page, key="leave_request")
    assert done.status_code == 302 and done.location.endswith("/modeler/leave_request")
    draft = db.get(DraftDiagram, "leave_request")
    assert draft is not None and 'id="VacationRequestProcess"' in draft.bpmn_xml  # the id inside is kept
    db.rollback()


def test_same_process_id_twice_gets_two_keys_not_a_silent_replacement(client, auth, db):
    auth.as_("admin")
    keys = []
    for name in ("A.1.0", "A.2.0", "A.3.0"):  # all three have process id WFP-6-
        page = ask(client, (MIWG / f"{name}.bpmn").read_bytes(), f"{name}.bpmn")
        keys.append(fields(page)["key"])
        assert confirm(client, page).status_code == 302
    assert len(set(keys)) == 3 and all(k.startswith("wfp_6") for k in keys)


def test_the_shipped_diagram_reimported_keeps_its_forms_and_asks_before_replacing(client, auth, db):
    auth.as_("admin")
    page = ask(client, PROPOSAL.read_bytes(), "proposal.bpmn")
    assert fields(page)["key"] == "proposal"
    body = text(page)
    assert "已是已发布的流程“提案办理”" in body and "沿用此流程现有的表单" in body and "缺少" not in body
    assert "没有任何变化" in body  # unchanged: nothing would change
    refused = confirm(client, page)
    assert refused.status_code == 409 and "请勾选确认替换" in text(refused)
    assert db.get(DraftDiagram, "proposal") is None
    db.rollback()
    done = confirm(client, page, replace="yes")
    assert done.status_code == 302
    editor = text(client.get("/modeler/proposal"))
    assert "基于第 1 版的工作稿" in editor and "未发布的工作稿" not in editor
    problems = client.post("/modeler/proposal/validate",
                           json={"xml": client.get("/modeler/proposal/diagram.bpmn").get_data(as_text=True)}).json
    assert problems["problems"] == [], problems


def test_a_changed_diagram_shows_what_would_change_before_replacing(client, auth, db):
    auth.as_("admin")
    raw = PROPOSAL.read_text(encoding="utf-8").replace('name="审查立案"', 'name="审查"').encode("utf-8")
    page = ask(client, raw, "proposal.bpmn")
    assert "审查立案 → 审查" in text(page)


def test_a_zip_brings_the_diagram_with_its_forms(client, auth, db):
    auth.as_("admin")
    xml = PROPOSAL.read_text(encoding="utf-8").replace('id="proposal"', 'id="proposal_copy"').replace(
        'processRef="proposal"', 'processRef="proposal_copy"')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("copy/proposal.bpmn", xml)
        for form in (ROOT / "processes" / "forms" / "proposal").glob("*.json"):
            archive.writestr(f"copy/forms/proposal/{form.name}", form.read_bytes())
    page = ask(client, buffer.getvalue(), "copy.zip")
    assert fields(page)["key"] == "proposal_copy" and "缺少" not in text(page) and "随文件上传" in text(page)
    assert confirm(client, page).status_code == 302
    paths = set(db.scalars(select(DraftForm.path).where(DraftForm.draft_key == "proposal_copy")))
    db.rollback()
    assert "forms/proposal/review.json" in paths and len(paths) >= 8


def test_forms_picked_beside_the_diagram_are_matched_by_file_name_and_missing_ones_named(client, auth, db):
    auth.as_("admin")
    xml = PROPOSAL.read_text(encoding="utf-8").replace('id="proposal"', 'id="proposal_two"').replace(
        'processRef="proposal"', 'processRef="proposal_two"').encode("utf-8")
    review = (ROOT / "processes" / "forms" / "proposal" / "review.json").read_bytes()
    page = ask(client, xml, "p.bpmn", [("review.json", review), ("submit.json", b"{not json")])
    items = lxml.html.fromstring(page.get_data(as_text=True)).xpath("//ul[@id='import-forms']/li")
    sources = {li.xpath("string(code)"): li.get("data-source") for li in items}
    assert sources["forms/proposal/review.json"] == "upload"
    assert sources["forms/proposal/submit.json"] == "missing"
    assert "submit.json" in text(page) and "不是有效的表单" in text(page)


def test_a_key_not_in_the_products_form_or_a_non_diagram_is_refused(client, auth, db):
    auth.as_("admin")
    page = ask(client, (MIWG / "C.8.1.bpmn").read_bytes(), "C.8.1.bpmn")
    before = drafts_count(db)
    refused = confirm(client, page, key="Bad-Key")
    assert refused.status_code == 302 and drafts_count(db) == before
    assert "流程编号须以小写字母开头" in text(client.get("/modeler"))
    response = client.post("/modeler/import", data={"file": (io.BytesIO(b"hello"), "x.bpmn")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "不是 BPMN 2.0 流程图" in text(response) and drafts_count(db) == before


def test_an_imported_procedure_under_its_own_key_deploys_and_starts(client, auth, db):
    """The key and the diagram's process id differ: versions are stored under the key, the engine runs the id."""
    auth.as_("admin")
    xml = PROPOSAL.read_text(encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("proposal.bpmn", xml)
        for form in (ROOT / "processes" / "forms" / "proposal").glob("*.json"):
            archive.writestr(f"forms/proposal/{form.name}", form.read_bytes())
    page = ask(client, buffer.getvalue(), "p.zip")
    assert confirm(client, page, key="proposal_test").status_code == 302
    xml = client.get("/modeler/proposal_test/diagram.bpmn").get_data(as_text=True)
    deployed = client.post("/modeler/proposal_test/deploy", json={"xml": xml})
    assert deployed.status_code == 200, deployed.json
    assert scalar(db, select(ProcessVersion.version).where(ProcessVersion.process_key == "proposal_test")) == 1
    from engine.runtime import verbs as runtime
    from engine.models import User
    member = db.scalars(select(User).where(User.username == "member1")).one()
    instance = runtime.start_instance(db, member, "proposal_test", {
        "title": "标题", "category": "社会", "content": "内容", "suggestion": "建议"})
    assert instance.process_key == "proposal_test" and instance.status == "running"
    db.rollback()


def test_the_modeler_says_bpmn_js_import_notes_in_the_pages_language(client, auth):
    auth.as_("admin")
    config = json.loads(lxml.html.fromstring(client.get("/modeler/proposal").get_data(as_text=True))
                        .get_element_by_id("modeler-app").get("data-config"))
    assert config["importNotes"]["multipleDi"] == "元素%(what)s有多个图形：只显示第一个。"
    assert "条提示" in config["messages"]["warnings"]
    english = json.loads(lxml.html.fromstring(client.get("/modeler/proposal?lang=en").get_data(as_text=True))
                         .get_element_by_id("modeler-app").get("data-config"))
    assert english["importNotes"]["multipleDi"].startswith("The element")
