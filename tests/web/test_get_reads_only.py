"""Opening a page never changes the database: every GET route, with real ids, as each kind of user. (The `app`
fixture also fails any test whose GET requests wrote; this walks the routes no other test happens to open.)"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import inspect, select, text as sql

from engine.models import OpenTask, User
from engine.people.records import Member
from engine.definitions.records import DraftDiagram, DraftForm
from tests.web.conftest import PASSWORD
from tests.web.helpers import submit, text

USERS = ("member1", "tiwei", "office1", "czj_clerk", "admin")


@pytest.fixture
def app_config(tmp_path):
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            "XIESHANG_FILES_DIR": str(tmp_path / "files")}


def snapshot(db) -> dict[str, list]:
    tables = inspect(db.get_bind()).get_table_names()
    rows = {name: sorted(map(repr, db.execute(sql(f'SELECT * FROM "{name}"')).all())) for name in tables}
    db.rollback()
    return rows


def _ids(db, instance_id: int, attachment_id: int) -> dict[str, object]:
    values = {"instance_id": instance_id, "attachment_id": attachment_id, "key": "proposal", "number": 1,
              "kind": "sector", "filename": "js/forms.js", "year": 2027,
              "task_id": db.scalar(select(OpenTask.id).where(OpenTask.instance_id == instance_id)),
              "user_id": db.scalar(select(User.id).where(User.username == "member1")),
              "member_id": db.scalar(select(Member.id).limit(1)) or 1}
    db.rollback()
    return values


def test_no_get_route_writes(app, client, auth, db):
    instance_id = submit(auth, client)
    upload = client.post(f"/instances/{instance_id}/attachments",
                         data={"file": (io.BytesIO(b"%PDF-1.4 test"), "a.pdf")}, content_type="multipart/form-data")
    assert upload.status_code == 302, text(upload)
    values = _ids(db, instance_id, attachment_id=1)
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    clients = {}
    for username in USERS:  # logged in before the snapshot: logging in and out writes (session stamps)
        clients[username] = app.test_client()
        assert clients[username].post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    before = snapshot(db)
    seen = set()
    for username, client in clients.items():
        for rule in rules:
            url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
            response = client.get(url)
            response.close()  # a download is a file handle
            assert response.status_code < 500, f"{username} GET {url}: {response.status_code}"
            seen.add((rule.endpoint, response.status_code < 400))
    assert snapshot(db) == before
    assert {endpoint for endpoint, ok in seen if ok} >= {"modeler.edit", "modeler.form_edit", "inbox.task",
                                                          "instances.detail", "attachments.download"}


def test_opening_the_modeler_makes_no_working_copy(client, auth, db):
    auth.as_("admin")
    for url in ("/modeler/proposal", "/modeler/proposal/diagram.bpmn", "/modeler/proposal/forms",
                "/modeler/proposal/forms/edit?path=forms/proposal/review.json"):
        assert client.get(url).status_code == 200
    assert db.scalars(select(DraftDiagram)).all() == [] and db.scalars(select(DraftForm)).all() == []


def test_discarding_changes_to_a_published_procedure_leaves_no_working_copy(client, auth, db):
    auth.as_("admin")
    xml = client.get("/modeler/proposal/diagram.bpmn").get_data(as_text=True)
    client.post("/modeler/proposal/save", json={"xml": xml.replace("审查立案", "临时改动")})
    assert db.scalar(select(DraftDiagram.key)) == "proposal"
    db.rollback()
    response = client.post("/modeler/proposal/discard")
    assert response.status_code == 302
    assert "临时改动" not in client.get(response.location).get_data(as_text=True)
    assert db.scalars(select(DraftDiagram)).all() == [] and db.scalars(select(DraftForm)).all() == []
