"""Tamper evidence: each audit event's hash is recomputed here, independently of engine/runtime/audit.py, and an
edited, removed or reordered event — of an instance or of a log of no instance — is found by the check that
`xieshang verify`, the nightly tick and the administrators' page run."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import delete, select, update

from engine import clock, integrity
from engine.models import Event, Instance
from engine.people import accounts
from engine.runtime import audit, schedule

from .flow import Flow, MONDAY


def _hash(prev: str, event: Event) -> str:
    """The chain's rule written out again: SHA-256 of the previous hash followed by the event's content as JSON."""
    payload = {"instance": event.instance_id, "kind": event.kind, "actor": event.actor_id,
               "at": event.at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
               "task": event.task_id, "data": event.data}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((prev + text).encode("utf-8")).hexdigest()


@pytest.fixture
def case(deployed, users):
    """A proposal through review, assignment and acceptance: a chain of four events."""
    clock.set_now(MONDAY)
    flow = Flow(deployed, users)
    return flow, flow.to_handling()


def _events(session, instance: Instance) -> list[Event]:
    session.expire_all()
    return list(session.scalars(select(Event).where(Event.instance_id == instance.id).order_by(Event.id)))


def _findings(session) -> list[tuple[str, int | None, int | None, str]]:
    check = integrity.run(session, "command")
    return [(f["chain"], f["instance_id"], f["event_id"], f["reason"]) for f in check.broken]


def test_each_hash_is_the_previous_hash_followed_by_the_content(case):
    flow, instance = case
    events = _events(flow.session, instance)
    assert len(events) >= 2
    prev = ""
    for event in events:
        assert event.prev_hash == prev and event.hash == _hash(prev, event)
        prev = event.hash
    assert events[1].hash != _hash("", events[1])  # the link is part of what is hashed
    assert flow.session.get(Instance, instance.id).audit_head == prev
    assert audit.verify(flow.session, instance.id) and _findings(flow.session) == []


def test_an_edited_event_is_found(case, both_backends):
    flow, instance = case
    first = _events(flow.session, instance)[0]
    flow.session.execute(update(Event).where(Event.id == first.id).values(data={**first.data, "title": "改过的标题"}))
    assert not audit.verify(flow.session, instance.id)
    assert _findings(flow.session) == [("instance", instance.id, first.id, "edited")]


def test_an_event_whose_hash_was_recomputed_after_editing_breaks_the_next_link(case):
    flow, instance = case
    first, second = _events(flow.session, instance)[:2]
    first.data = {**first.data, "title": "改过的标题"}
    flow.session.flush()
    first.hash = _hash("", first)
    flow.session.flush()
    assert _findings(flow.session) == [("instance", instance.id, second.id, "link")]


def test_a_removed_middle_event_is_found(case):
    flow, instance = case
    events = _events(flow.session, instance)
    middle, following = events[1], events[2]
    flow.session.execute(delete(Event).where(Event.id == middle.id))
    assert not audit.verify(flow.session, instance.id)
    assert _findings(flow.session) == [("instance", instance.id, following.id, "link")]


def test_two_events_swapped_are_found(case):
    flow, instance = case
    first, second = _events(flow.session, instance)[:2]
    columns = ("kind", "actor_id", "at", "data", "task_id", "bpmn_id", "task_name", "prev_hash", "hash")
    a, b = ({c: getattr(e, c) for c in columns} for e in (first, second))
    flow.session.execute(update(Event).where(Event.id == first.id).values(**b))
    flow.session.execute(update(Event).where(Event.id == second.id).values(**a))
    assert not audit.verify(flow.session, instance.id)
    assert _findings(flow.session) == [("instance", instance.id, first.id, "link")]


def test_removed_events_at_the_end_are_found_by_the_head_kept_on_the_instance(case):
    flow, instance = case
    events = _events(flow.session, instance)
    flow.session.execute(delete(Event).where(Event.id == events[-1].id))
    assert not audit.verify(flow.session, instance.id)
    assert _findings(flow.session) == [("instance", instance.id, events[-2].id, "head")]
    flow.session.execute(delete(Event).where(Event.instance_id == instance.id))
    assert _findings(flow.session) == [("instance", instance.id, None, "head")]


def test_the_account_log_is_checked(deployed, users, both_backends):
    accounts.set_active(deployed, users.admin, users.czj_clerk.id, False)
    accounts.set_active(deployed, users.admin, users.czj_clerk.id, True)
    deployed.flush()
    assert _findings(deployed) == []
    logged = deployed.scalars(select(Event).where(Event.kind.in_(accounts.KINDS)).order_by(Event.id)).all()
    deployed.execute(update(Event).where(Event.id == logged[0].id).values(data={**logged[0].data, "user": 1}))
    assert ("accounts", None, logged[0].id, "edited") in _findings(deployed)


def test_an_event_of_no_known_log_is_reported(deployed):
    deployed.add(Event(instance_id=None, kind="forged", data={}, prev_hash="", hash="x"))
    deployed.flush()
    stray = deployed.scalar(select(Event.id).where(Event.kind == "forged"))
    assert _findings(deployed) == [("log", None, stray, "unknown")]


def test_each_run_is_kept_with_what_it_read(case):
    flow, instance = case
    check = integrity.run(flow.session, "command")
    total = flow.session.query(Event).count()
    assert check.ok and check.events == total and check.chains >= 1 + len(integrity.LOGS)
    assert integrity.latest(flow.session)[0].id == check.id


@pytest.mark.parametrize("at, expected", [((1, 59), False), ((2, 0), True), ((23, 0), True)])
def test_the_nightly_check_is_due_once_a_day_after_two(deployed, at, expected):
    now = dt.datetime(2026, 3, 3, *at, tzinfo=clock.TZ)
    assert integrity.due(deployed, now) is expected


def test_the_tick_runs_the_check_once_a_night(deployed):
    clock.set_now(dt.datetime(2026, 3, 3, 2, 30, tzinfo=clock.TZ))
    assert schedule.tick(deployed)["broken"] == 0
    assert "broken" not in schedule.tick(deployed)  # once is enough for tonight
    clock.set_now(dt.datetime(2026, 3, 4, 1, 0, tzinfo=clock.TZ))
    assert "broken" not in schedule.tick(deployed)
    clock.set_now(dt.datetime(2026, 3, 4, 2, 1, tzinfo=clock.TZ))
    deployed.add(Event(instance_id=None, kind="forged", data={}, prev_hash="", hash="x"))
    assert schedule.tick(deployed)["broken"] == 1
    assert [c.trigger for c in integrity.latest(deployed)] == ["tick", "tick"]


# ------------------------------------------------------------------ the chain rule on its own (no database, no diagram)

class _Added(list):
    """Stands for the session: record() only adds the event it writes."""

    def add(self, event):
        self.append(event)


def _spec(bpmn_id, name):
    from types import SimpleNamespace
    return SimpleNamespace(bpmn_id=bpmn_id, bpmn_name=name)


def test_chain_rule_each_recorded_event_hashes_its_content_after_the_previous_hash():
    import uuid
    from types import SimpleNamespace

    clock.set_now(MONDAY)
    added, instance = _Added(), SimpleNamespace(id=7, audit_head="")
    actor = SimpleNamespace(id=3)
    task = SimpleNamespace(id=uuid.UUID(int=5), task_spec=_spec("review", "审查"))
    first = audit.record(added, instance, "start", None, spec=_spec("start", None))
    second = audit.record(added, instance, "complete", actor, task=task, data={"意见": "同意"})
    third = audit.record(added, instance, "note", actor)
    assert added == [first, second, third]
    assert (first.instance_id, first.kind, first.actor_id, first.task_id, first.data) == (7, "start", None, None, {})
    assert (first.bpmn_id, first.task_name, first.at) == ("start", "start", MONDAY)
    assert (second.actor_id, second.task_id, second.bpmn_id, second.task_name, second.data) == (
        3, str(uuid.UUID(int=5)), "review", "审查", {"意见": "同意"})
    assert (third.bpmn_id, third.task_name, third.task_id, third.data) == (None, None, None, {})
    assert first.prev_hash == "" and first.hash == _hash("", first)
    assert second.prev_hash == first.hash and second.hash == _hash(first.hash, second)
    assert third.prev_hash == second.hash and third.hash == _hash(second.hash, third)
    assert instance.audit_head == third.hash
    assert audit.first_break(added, instance.audit_head) is None and audit.first_break(added) is None


def test_chain_rule_each_way_of_breaking_is_named():
    import copy
    from types import SimpleNamespace

    clock.set_now(MONDAY)
    added, instance = _Added(), SimpleNamespace(id=7, audit_head="")
    for n in range(3):
        audit.record(added, instance, "note", None, data={"n": n})
    edited = [copy.copy(e) for e in added]
    edited[1].data = {"n": 9}
    assert audit.first_break(edited, instance.audit_head) == (edited[1], "edited")
    assert audit.first_break([added[0], added[2]], instance.audit_head) == (added[2], "link")
    assert audit.first_break([added[1], added[0], added[2]]) == (added[1], "link")
    assert audit.first_break(added[:2], instance.audit_head) == (added[1], "head")
    assert audit.first_break([], instance.audit_head) == (None, "head")
    assert audit.first_break(added[:2]) is None  # without a head only the links and contents are checked
    restamped = [copy.copy(e) for e in added]
    restamped[0].at = MONDAY + dt.timedelta(microseconds=1)
    assert audit.first_break(restamped) == (restamped[0], "edited")


def test_chain_rule_a_log_of_no_instance_chains_per_kinds(session):
    from engine.models import User

    clock.set_now(MONDAY)
    actor = User(username="chain_admin", name="管理员")
    session.add(actor)
    session.flush()
    kinds, other = ("acct_a", "acct_b"), ("hol",)
    first = audit.record_log(session, kinds, "acct_a", actor, {"user": 1})
    elsewhere = audit.record_log(session, other, "hol", None, {"year": 2026})
    second = audit.record_log(session, kinds, "acct_b", None, {"user": 2})
    third = audit.record_log(session, kinds, "acct_a", None, {"user": 3})
    assert (first.instance_id, first.kind, first.actor_id, first.at, first.data) == (
        None, "acct_a", actor.id, MONDAY, {"user": 1})
    assert second.actor_id is None and elsewhere.prev_hash == ""
    assert first.prev_hash == "" and first.hash == _hash("", first)
    assert second.prev_hash == first.hash and second.hash == _hash(first.hash, second)
    assert third.prev_hash == second.hash  # the newest of the log, not the first
    assert audit.log_events(session, kinds) == [third, second, first]
    assert audit.log_events(session, kinds, Event.kind == "acct_b") == [second]
    assert audit.log_break(session, kinds) is None and audit.verify_log(session, kinds)
    session.execute(update(Event).where(Event.id == first.id).values(data={"user": 9}))
    session.expire_all()
    broken = audit.log_break(session, kinds)
    assert broken is not None and (broken[0].id, broken[1]) == (first.id, "edited")
    assert not audit.verify_log(session, kinds) and audit.verify_log(session, other)


def test_chain_rule_verify_reads_its_own_instance_in_written_order(case):
    flow, instance = case
    other = flow.submit()  # a second chain beside the first
    assert audit.verify(flow.session, instance.id) and audit.verify(flow.session, other.id)
    events = _events(flow.session, instance)
    # tampering with one chain leaves the other whole
    first, second = events[:2]
    columns = ("kind", "actor_id", "at", "data", "task_id", "bpmn_id", "task_name", "prev_hash", "hash")
    a, b = ({c: getattr(e, c) for c in columns} for e in (first, second))
    flow.session.execute(update(Event).where(Event.id == first.id).values(**b))
    flow.session.execute(update(Event).where(Event.id == second.id).values(**a))
    assert not audit.verify(flow.session, instance.id) and audit.verify(flow.session, other.id)


def test_chain_rule_the_time_is_hashed_in_utc_whatever_the_server_s_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert audit._stamp(dt.datetime(2026, 3, 2, 9, tzinfo=clock.TZ)) == "2026-03-02T01:00:00.000000+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_chain_rule_data_json_cannot_hold_is_hashed_as_text():
    from types import SimpleNamespace

    clock.set_now(MONDAY)
    added, instance = _Added(), SimpleNamespace(id=7, audit_head="")
    event = audit.record(added, instance, "note", None, data={"day": dt.date(2026, 3, 2)})
    assert event.hash == _hash("", event)
