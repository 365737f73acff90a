"""流程设计 pages: process owners only; working copy, validate, deploy, forms, versions, diff, restore, migration;
发起事项 for everyone."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine.definitions import deploy as definitions
from engine.models import Event, Instance, OpenTask, ProcessVersion
from engine.definitions.records import DraftDiagram, DraftForm

from .helpers import SUBMIT, open_steps, scalar, submit, text

MIWG = Path(__file__).resolve().parents[1] / "fixtures" / "miwg"
REVIEW_DUE = '<spiffworkflow:property name="dueWorkingDays" value="10" />'


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    """versions are cached by database and row id; other tests' databases reuse the ids this test deploys."""
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


def _xml(client, key="proposal") -> str:
    response = client.get(f"/modeler/{key}/diagram.bpmn")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _count(db, model) -> int:
    return scalar(db, select(func.count()).select_from(model))


@pytest.mark.parametrize("method, url, body", [
    ("get", "/modeler", None),
    ("get", "/modeler/proposal", None),
    ("get", "/modeler/proposal/diagram.bpmn", None),
    ("post", "/modeler/proposal/save", {"xml": "<x/>"}),
    ("post", "/modeler/proposal/validate", {"xml": "<x/>"}),
    ("post", "/modeler/proposal/deploy", {"xml": "<x/>"}),
    ("post", "/modeler/new", None),
    ("post", "/modeler/import", None),
    ("get", "/modeler/proposal/forms", None),
    ("post", "/modeler/proposal/forms/edit?path=forms/proposal/review.json", None),
    ("get", "/modeler/proposal/versions", None),
    ("post", "/modeler/proposal/versions/1/restore", None),
    ("get", "/modeler/proposal/migrate", None),
    ("post", "/modeler/proposal/discard", None),
    ("post", "/modeler/proposal/migrate", None),
])
@pytest.mark.parametrize("username", ["office1", "member1", "tiwei"])
def test_only_process_owners_may_edit_deploy_or_migrate(client, auth, db, method, url, body, username):
    auth.as_(username)
    versions_before, drafts_before = _count(db, ProcessVersion), _count(db, DraftDiagram)
    if method == "get":
        response = client.get(url)
    elif body is not None:
        response = client.post(url, json=body)
    else:
        response = client.post(url, data={"key": "x_proc", "name": "新流程", "schema": "{}", "instance": "1"})
    assert response.status_code == 403
    assert (_count(db, ProcessVersion), _count(db, DraftDiagram)) == (versions_before, drafts_before)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/modeler")
    assert response.status_code == 302 and "/login" in response.location


def test_the_modeler_page_loads_the_bundle_and_the_working_copy(client, auth):
    auth.as_("admin")
    page = client.get("/modeler/proposal").get_data(as_text=True)
    assert "vendor/modeler/modeler.js" in page and "校验" in page and "发布" in page
    assert "cdn" not in page.lower() and "unpkg" not in page
    assert 'id="spiffworkflow"' not in page
    assert "审查立案" in _xml(client)
    assert "提案办理" in text(client.get("/modeler"))


def test_validate_lists_problems_naming_the_element(client, auth, db):
    auth.as_("admin")
    xml = _xml(client).replace(REVIEW_DUE, REVIEW_DUE.replace('"10"', '"十天"'))
    response = client.post("/modeler/proposal/validate", json={"xml": xml})
    assert response.status_code == 200
    assert response.json["problems"] == [{"element_id": "review", "message": "办理时限（工作日）必须是整数"}]
    assert "十天" in _xml(client)  # the working copy keeps the edit
    clean = client.post("/modeler/proposal/validate", json={"xml": xml.replace('"十天"', '"8"')}).json
    assert clean["problems"] == [] and "没有发现问题" in clean["message"]


def test_deploy_makes_a_new_version_and_running_instances_keep_theirs(client, auth, db):
    old = submit(auth, client, "member1")
    auth.as_("admin")
    xml = _xml(client).replace('name="审查立案"', 'name="审查立案并分类"').replace(
        REVIEW_DUE, REVIEW_DUE.replace('"10"', '"5"'))
    response = client.post("/modeler/proposal/deploy", json={"xml": xml})
    assert response.status_code == 200, response.json
    assert response.json["version"] == 2 and "第 2 版" in response.json["message"]
    new = submit(auth, client, "member2")
    names = dict(db.execute(select(OpenTask.instance_id, OpenTask.name)).all())
    db.rollback()
    assert names[old] == "审查立案" and names[new] == "审查立案并分类"
    auth.as_("admin")
    again = client.post("/modeler/proposal/deploy", json={"xml": xml})
    assert again.status_code == 409


def test_a_refused_deploy_changes_nothing_but_keeps_the_working_copy(client, auth, db):
    auth.as_("admin")
    xml = _xml(client).replace('name="政协办公室"', 'name="不存在的部门"')
    response = client.post("/modeler/proposal/deploy", json={"xml": xml})
    assert response.status_code == 422
    assert response.json["problems"][0]["element_id"] == "lane_office"
    assert _count(db, ProcessVersion) == scalar(db, select(func.count(func.distinct(ProcessVersion.process_key))))
    assert "不存在的部门" in _xml(client)


def test_new_from_template_then_start_from_processes(client, auth, db):
    auth.as_("admin")
    response = client.post("/modeler/new", data={"key": "visit_record", "name": "走访记录"})
    assert response.status_code == 302 and response.location.endswith("/modeler/visit_record")
    assert client.post("/modeler/visit_record/deploy", json={"xml": _xml(client, "visit_record")}).status_code == 200
    auth.as_("office1")
    assert "走访记录" in text(client.get("/processes"))
    assert "走访记录" not in text(auth.as_("member1").client.get("/processes"))
    assert client.get("/processes/visit_record/start").status_code == 403
    auth.as_("office1")
    page = text(client.get("/processes/visit_record/start"))
    assert "事项标题" in page and "事项内容" in page
    refused = client.post("/processes/visit_record/start", data={"content": "没有标题"})
    assert refused.status_code == 422 and _count(db, Instance) == 0
    started = client.post("/processes/visit_record/start", data={"title": "走访县财政局", "content": "了解预算执行"})
    assert started.status_code == 302
    instance_id = int(started.location.rsplit("/", 1)[1])
    assert open_steps(db, instance_id) == ["handle"]


def test_duplicate_or_bad_keys_are_refused(client, auth, db):
    auth.as_("admin")
    before = _count(db, DraftDiagram)
    for key in ("proposal", "Bad-Key"):
        response = client.post("/modeler/new", data={"key": key, "name": "x"}, follow_redirects=True)
        assert "流程编号" in text(response)
    assert _count(db, DraftDiagram) == before


def test_form_editor_previews_with_the_inbox_renderer_and_refuses_invalid_schemas(client, auth, db):
    auth.as_("admin")
    path = "forms/proposal/review.json"
    page = client.get(f"/modeler/proposal/forms/edit?path={path}")
    assert page.status_code == 200 and 'name="decision"' in page.get_data(as_text=True)
    schema = {"type": "object", "title": "审查", "properties": {
        "decision": {"type": "string", "title": "结论", "oneOf": [{"const": "立案", "title": "立案"},
                                                                 {"const": "不立案", "title": "不立案"}]},
        "note": {"type": "string", "title": "备注", "x-widget": "textarea"}}, "required": ["decision"]}
    preview = client.post("/modeler/proposal/forms/preview", data={"schema": json.dumps(schema, ensure_ascii=False)})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'type="radio"' in html and "<textarea" in html and "备注" in html
    bad = client.post("/modeler/proposal/forms/preview", data={"schema": '{"type": "object", "properties": {"a": {"type": 1}}}'})
    assert bad.status_code == 422 and "字段“a”" in bad.get_data(as_text=True)
    before = scalar(db, select(DraftForm.schema).where(DraftForm.path == path))
    refused = client.post("/modeler/proposal/forms/edit", data={"path": path, "schema": "{not json"})
    assert refused.status_code == 422 and "表单定义（JSON）第 1 行" in text(refused)
    assert scalar(db, select(DraftForm.schema).where(DraftForm.path == path)) == before
    saved = client.post("/modeler/proposal/forms/edit", data={"path": path, "schema": json.dumps(schema)})
    assert saved.status_code == 302
    assert scalar(db, select(DraftForm.schema).where(DraftForm.path == path))["title"] == "审查"
    assert "review.json" in text(client.get("/modeler/proposal/forms"))


def test_versions_download_diff_and_restore(client, auth, db):
    auth.as_("admin")
    xml = _xml(client).replace('name="审查立案"', 'name="审查"')
    assert client.post("/modeler/proposal/deploy", json={"xml": xml}).status_code == 200
    page = text(client.get("/modeler/proposal/versions"))
    assert "第 2 版" in page and "系统管理员" in page
    download = client.get("/modeler/proposal/versions/1.bpmn")
    assert download.status_code == 200 and 'name="审查立案"' in download.get_data(as_text=True)
    assert "attachment" in download.headers["Content-Disposition"]
    diff = text(client.get("/modeler/proposal/diff?a=1&b=2"))
    assert "修改" in diff and "审查立案 → 审查" in diff
    response = client.post("/modeler/proposal/versions/1/restore")
    assert response.status_code == 302
    assert definitions.latest_version(db, "proposal").version == 3
    db.rollback()
    assert 'name="审查立案"' in _xml(client)


def test_migration_preview_and_bulk_move_with_report(client, auth, db):
    old = submit(auth, client, "member1")
    auth.as_("admin")
    xml = _xml(client).replace('name="审查立案"', 'name="审查立案并分类"')
    assert client.post("/modeler/proposal/deploy", json={"xml": xml}).status_code == 200
    preview = text(client.get("/modeler/proposal/migrate"))
    assert "可以迁移" in preview and SUBMIT["title"] in preview
    response = client.post("/modeler/proposal/migrate", data={"to": "2", "instance": str(old)})
    assert response.status_code == 200 and "已将 1 个事项迁移到第 2 版" in text(response)
    assert scalar(db, select(OpenTask.name).where(OpenTask.instance_id == old)) == "审查立案并分类"
    assert scalar(db, select(Event.kind).where(Event.instance_id == old).order_by(Event.id.desc()).limit(1)) == "migrate"
    assert "没有需要迁移" in text(client.get("/modeler/proposal/migrate"))


@pytest.mark.parametrize("path", sorted(MIWG.glob("*.bpmn")), ids=lambda p: p.stem)
def test_miwg_files_import_by_upload_and_validation_explains(client, auth, db, path):
    auth.as_("admin")
    from .test_import import ask, confirm

    response = confirm(client, ask(client, path.read_bytes(), path.name))
    assert response.status_code == 302
    key = response.location.rsplit("/", 1)[1]
    xml = _xml(client, key)
    original = etree.fromstring(path.read_bytes())  # some are ISO-8859-1: kept as the same tree in UTF-8
    assert etree.tostring(etree.fromstring(xml.encode("utf-8")), encoding="unicode") == etree.tostring(original, encoding="unicode")
    result = client.post(f"/modeler/{key}/validate", json={"xml": xml}).json
    assert result["problems"] and "发现" in result["message"]


def test_upload_of_something_else_is_refused(client, auth, db):
    auth.as_("admin")
    before = _count(db, DraftDiagram)
    response = client.post("/modeler/import", data={"file": (__import__("io").BytesIO(b"hello"), "x.bpmn")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "不是 BPMN 2.0 流程图" in text(response) and _count(db, DraftDiagram) == before


def test_nav_links(client, auth):
    auth.as_("admin")
    page = text(client.get("/inbox"))
    assert "流程设计" in page and "发起事项" in page
    auth.as_("office1")
    page = text(client.get("/inbox"))
    assert "流程设计" not in page and "发起事项" in page


def test_discard_goes_back_to_the_deployed_version(client, auth, db):
    auth.as_("admin")
    client.post("/modeler/proposal/save", json={"xml": _xml(client).replace("审查立案", "临时改动")})
    assert "临时改动" in _xml(client)
    response = client.post("/modeler/proposal/discard")
    assert response.status_code == 302 and response.location.endswith("/modeler/proposal")
    assert "临时改动" not in _xml(client)


def test_modeler_pages_in_english(client, auth):
    auth.as_("admin")
    for url in ("/modeler?lang=en", "/modeler/proposal", "/modeler/proposal/versions", "/processes"):
        response = client.get(url)
        assert response.status_code == 200
    assert "Validate" in text(client.get("/modeler/proposal")) and "Deploy" in text(client.get("/modeler/proposal"))
    assert '"locale": "en"' in client.get("/modeler/proposal").get_data(as_text=True).replace("&#34;", '"')


REVIEW_LABEL = '<spiffworkflow:property name="statusLabel" value="待审查" />'


def test_renaming_a_step_a_record_reads_is_refused_at_validate_and_deploy_naming_both(client, auth, db):
    auth.as_("admin")
    xml = re.sub(r'(?<=[">])handle(?=["<])', "reply", _xml(client))
    expected = "步骤 handle（办理答复）被删除或改名：提案记录（答复期限、督办同意的延期）依赖它。"
    checked = client.post("/modeler/proposal/validate", json={"xml": xml}).json
    assert [p["message"] for p in checked["problems"]] == [expected]
    refused = client.post("/modeler/proposal/deploy", json={"xml": xml})
    assert refused.status_code == 422 and [p["message"] for p in refused.json["problems"]] == [expected]
    assert scalar(db, select(func.count()).select_from(ProcessVersion).where(ProcessVersion.process_key == "proposal")) == 1
    assert 'id="reply"' in _xml(client)  # the working copy keeps the edit


def test_a_status_label_changed_in_the_modeler_shows_in_the_proposal_list_of_new_proposals(client, auth, db):
    submit(auth, client, "member1")
    auth.as_("admin")
    xml = _xml(client).replace(REVIEW_LABEL, REVIEW_LABEL.replace("待审查", "待提案委员会审查"))
    assert client.post("/modeler/proposal/validate", json={"xml": xml}).json["problems"] == []
    assert client.post("/modeler/proposal/deploy", json={"xml": xml}).status_code == 200
    submit(auth, client, "member2")
    assert "待提案委员会审查" in text(client.get("/proposals"))
    auth.as_("member1")
    page = text(client.get("/proposals"))
    assert "待审查" in page and "待提案委员会审查" not in page  # running proposals keep their version's labels


def test_deploy_problems_are_in_english_with_the_english_ui(client, auth):
    """The element and the record named, in the person's language: nothing of the Chinese sentence left."""
    auth.as_("admin")
    client.get("/inbox?lang=en")
    xml = re.sub(r'(?<=[">])handle(?=["<])', "reply", _xml(client))
    xml = xml.replace(REVIEW_DUE, REVIEW_DUE.replace('"10"', '"ten"'))
    messages = [p["message"] for p in client.post("/modeler/proposal/validate", json={"xml": xml}).json["problems"]]
    assert "The deadline (working days) must be a whole number" in messages
    assert any(m.startswith("The step handle") and "the proposal record" in m for m in messages), messages
    assert not any(re.search(r"[\u4e00-\u9fff]", m.replace("办理答复", "")) for m in messages), messages


def test_a_status_label_changed_in_the_modeler_shows_on_the_case_page(client, auth, db):
    """No code change: the case page shows where a case stands in its diagram's words, from the new version on."""
    old = submit(auth, client, "member1")
    auth.as_("admin")
    assert "待审查" in text(client.get(f"/instances/{old}"))
    xml = _xml(client).replace(REVIEW_LABEL, REVIEW_LABEL.replace("待审查", "待提案委员会审查"))
    assert client.post("/modeler/proposal/deploy", json={"xml": xml}).status_code == 200
    new = submit(auth, client, "member2")
    auth.as_("admin")
    assert "待提案委员会审查" in text(client.get(f"/instances/{new}"))
    assert "待提案委员会审查" not in text(client.get(f"/instances/{old}"))  # it runs on the version it began on
