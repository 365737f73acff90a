"""新建流程: the owner picks who starts and who handles (the template's lanes) and may leave the key to be made from
the Chinese name."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.definitions import working_copies as drafts
from engine.definitions.records import DraftDiagram
from engine.models import Instance

from .helpers import open_steps, scalar, text


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


def test_members_start_what_the_office_handles_and_the_key_comes_from_the_name(client, auth, db):
    auth.as_("admin")
    page = text(client.get("/modeler"))
    assert "谁发起" in page and "谁办理" in page
    made = client.post("/modeler/new", data={"name": "走访记录", "key": "", "starter": "委员", "handler": "政协办公室"})
    assert made.status_code == 302 and made.location.endswith("/modeler/zou_fang_ji_lu")
    xml = client.get("/modeler/zou_fang_ji_lu/diagram.bpmn").get_data(as_text=True)
    assert 'name="委员"' in xml and 'name="政协办公室"' in xml
    assert client.post("/modeler/zou_fang_ji_lu/validate", json={"xml": xml}).json["problems"] == []
    assert client.post("/modeler/zou_fang_ji_lu/deploy", json={"xml": xml}).status_code == 200
    auth.as_("member1")
    assert "走访记录" in text(client.get("/processes"))
    started = client.post("/processes/zou_fang_ji_lu/start", data={"title": "走访县医院", "content": "了解看病难"})
    assert started.status_code == 302
    instance_id = int(started.location.rsplit("/", 1)[1])
    assert open_steps(db, instance_id) == ["handle"]
    assert scalar(db, select(Instance.process_key).where(Instance.id == instance_id)) == "zou_fang_ji_lu"
    # a second procedure of the same name gets the next free key
    auth.as_("admin")
    again = client.post("/modeler/new", data={"name": "走访记录", "starter": "政协办公室", "handler": "政协办公室"})
    assert again.location.endswith("/modeler/zou_fang_ji_lu_2")


def test_an_unknown_role_is_refused_and_nothing_is_made(client, auth, db):
    auth.as_("admin")
    response = client.post("/modeler/new", data={"name": "测试", "key": "role_test", "starter": "老板"},
                           follow_redirects=True)
    assert "没有名为“老板”的角色" in text(response)
    assert db.get(DraftDiagram, "role_test") is None
    db.rollback()


def test_the_template_with_one_role_has_one_lane(db):
    xml = drafts.template("one", "一条泳道")
    assert xml.count("<bpmn:lane ") == 1 and 'name="政协办公室"' in xml
    two = drafts.template("two", "两条泳道", "委员", "提案委员会")
    assert two.count("<bpmn:lane ") == 2 and 'id="lane_start" name="委员"' in two
