"""Moving running instances to a new version: who can move, who cannot and why, and what moving does."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.definitions import deploy as definitions, working_copies as drafts, moving as migration
from engine.runtime import verbs as runtime
from engine.models import Event, Instance, OpenTask

from .flow import SUBMIT, Flow


@pytest.fixture(autouse=True)
def _fresh_version_cache(monkeypatch):
    """versions are cached by database and row id; other tests' databases reuse the ids this test deploys."""
    from engine.definitions import deploy as definitions

    monkeypatch.setattr(definitions, "_VERSIONS", {})


@pytest.fixture
def flow(deployed, users, both_backends):
    return Flow(deployed, users)


def _new_version(session, users, edit):
    return drafts.deploy(session, "proposal", users.admin, edit(drafts.get(session, "proposal").bpmn_xml))


def _rename_review(xml: str) -> str:
    return xml.replace('name="审查立案"', 'name="审查立案并分类"')


def _drop_review(xml: str) -> str:
    """Version where 审查立案 is gone: proposals go straight to the review gateway."""
    xml = xml.replace('<bpmn:outgoing>f_reviewed</bpmn:outgoing>', "")
    start = xml.index('<bpmn:userTask id="review"')
    xml = xml[:start] + xml[xml.index("</bpmn:userTask>", start) + len("</bpmn:userTask>"):]
    xml = xml.replace('targetRef="review"', 'targetRef="gw_review"').replace('<bpmn:incoming>f_reviewed</bpmn:incoming>',
                                                                          '<bpmn:incoming>f_to_review</bpmn:incoming>')
    start = xml.index('<bpmn:sequenceFlow id="f_reviewed"')
    xml = xml[:start] + xml[xml.index("/>", start) + 2:]
    return xml.replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")


def test_an_instance_waiting_at_a_renamed_step_moves_and_shows_the_new_name(flow, users):
    session = flow.session
    old = flow.submit()
    assert [t.name for t in flow.open(old)] == ["审查立案"]
    version = _new_version(session, users, _rename_review)
    session.commit()
    new = flow.submit("member2")
    assert [t.name for t in flow.open(old)] == ["审查立案"] and [t.name for t in flow.open(new)] == ["审查立案并分类"]

    [candidate] = migration.preview(session, "proposal")
    assert candidate.instance_id == old.id and candidate.movable and candidate.from_version == 1
    report = migration.migrate(session, "proposal", users.admin)
    session.commit()
    assert [c.instance_id for c in report.moved] == [old.id] and report.refused == []
    session.expire_all()
    assert session.get(Instance, old.id).version_id == version.id
    assert [t.name for t in flow.open(old)] == ["审查立案并分类"]
    event = session.scalars(select(Event).where(Event.instance_id == old.id).order_by(Event.id.desc())).first()
    assert event.kind == "migrate" and event.data["from_version"] == 1 and event.data["to_version"] == 2
    assert "年节假日安排" in event.data["_calendar"][0]  # the rebuilt row's deadline, and what it was counted by
    assert event.actor_id == users.admin.id
    flow.do("tiwei", old, "review", {"decision": "立案"})  # and it goes on on the new version
    assert flow.open_ids(old) == ["assign"]
    assert migration.preview(session, "proposal") == []


def test_an_instance_at_a_removed_step_is_refused_with_the_reason_and_left_alone(flow, users):
    session = flow.session
    old = flow.submit()
    state_before = session.scalar(select(Instance.state).where(Instance.id == old.id))
    tasks_before = [t.id for t in flow.open(old)]
    _new_version(session, users, _drop_review)
    session.commit()
    [candidate] = migration.preview(session, "proposal")
    assert not candidate.movable and "“审查立案”在第 2 版中已删除" in candidate.reasons[0]
    report = migration.migrate(session, "proposal", users.admin)
    session.commit()
    assert report.moved == [] and [c.instance_id for c in report.refused] == [old.id]
    session.expire_all()
    assert session.scalar(select(Instance.state).where(Instance.id == old.id)) == state_before
    assert session.get(Instance, old.id).version_id != definitions.latest_version(session, "proposal").id
    assert [t.id for t in flow.open(old)] == tasks_before
    assert session.scalars(select(Event.kind).where(Event.instance_id == old.id)).all() == ["start"]


def test_an_instance_past_the_removed_step_can_move(flow, users):
    session = flow.session
    passed = flow.submit()
    flow.do("tiwei", passed, "review", {"decision": "立案"})
    waiting = flow.submit("member2")
    _new_version(session, users, _drop_review)
    session.commit()
    by_id = {c.instance_id: c for c in migration.preview(session, "proposal")}
    assert not by_id[waiting.id].movable
    assert not by_id[passed.id].movable and "已经过的步骤“审查立案”" in by_id[passed.id].reasons[0]


def test_only_chosen_instances_move(flow, users):
    session = flow.session
    first, second = flow.submit(), flow.submit("member2")
    _new_version(session, users, _rename_review)
    session.commit()
    report = migration.migrate(session, "proposal", users.admin, instance_ids={second.id})
    session.commit()
    assert [c.instance_id for c in report.moved] == [second.id]
    assert [t.name for t in flow.open(first)] == ["审查立案"]


def test_completed_instances_are_not_candidates(flow, users):
    session = flow.session
    rejected = flow.submit()
    flow.do("tiwei", rejected, "review", {"decision": "不立案", "reason": "不属于政协职能范围"})
    _new_version(session, users, _rename_review)
    session.commit()
    assert session.get(Instance, rejected.id).status == "completed"
    assert migration.preview(session, "proposal") == []


def test_runtime_save_rebuilds_inbox_rows(flow, users):
    session = flow.session
    instance = flow.submit()
    row_ids = [t.id for t in flow.open(instance)]
    version = definitions.latest_version(session, "proposal")
    from engine.runtime import state

    workflow = state.load(session.scalar(select(Instance.state).where(Instance.id == instance.id)),
                          definitions.specs(session, version))
    runtime.save(session, instance, version, workflow, users.admin, "migrate")
    session.commit()
    assert [t.id for t in flow.open(instance)] == row_ids
    assert session.scalars(select(OpenTask.name).where(OpenTask.instance_id == instance.id)).all() == ["审查立案"]
    assert SUBMIT["title"] == instance.title
