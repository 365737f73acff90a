"""Opening 编辑 only to look makes no working copy; 放弃修改 on a published procedure leaves none."""
from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import func, select

from engine.definitions.records import DraftDiagram, DraftForm

from .helpers import scalar


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


def state(client) -> str:
    page = lxml.html.fromstring(client.get("/modeler/proposal").get_data(as_text=True))
    return page.get_element_by_id("draft-state").text_content().strip()


def _drafts(db) -> int:
    return scalar(db, select(func.count()).select_from(DraftDiagram)) + scalar(
        db, select(func.count()).select_from(DraftForm))


def test_looking_writes_nothing_and_discarding_leaves_nothing(client, auth, db):
    auth.as_("admin")
    before = _drafts(db)
    for url in ("/modeler/proposal", "/modeler/proposal/diagram.bpmn", "/modeler/proposal/forms",
                "/modeler/proposal/forms/edit?path=forms/proposal/review.json"):
        assert client.get(url).status_code == 200
    assert _drafts(db) == before
    assert state(client) == "已发布第 1 版，没有未发布的修改"
    xml = client.get("/modeler/proposal/diagram.bpmn").get_data(as_text=True)
    client.post("/modeler/proposal/save", json={"xml": xml.replace("审查立案", "审查")})
    assert _drafts(db) > before and state(client) == "基于第 1 版的工作稿"
    response = client.post("/modeler/proposal/discard")
    assert response.status_code == 302 and response.location.endswith("/modeler/proposal")
    assert _drafts(db) == before
    assert state(client) == "已发布第 1 版，没有未发布的修改"
    row = lxml.html.fromstring(client.get("/modeler").get_data(as_text=True)).xpath("//tr[@data-key='proposal']")[0]
    assert row.xpath("string(td[5])").strip() == "—"
