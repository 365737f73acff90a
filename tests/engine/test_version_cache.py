"""Deployed versions are immutable and read once per process; which one is the latest is asked once per transaction,
so a version deployed elsewhere is seen by the next transaction, and one deployed in this transaction at once."""
from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from sqlalchemy import event, inspect

from engine import db
from engine.definitions import deploy as definitions
from engine.worklist import inbox
from engine.people import directory as reference
from engine.errors import NotFound

from ..conftest import PROCESSES
from .diagrams import two_step

FORM = {"type": "object", "title": "审核", "properties": {"approve": {"type": "string", "title": "是否同意", "enum": ["是", "否"]}}}


@pytest.fixture
def mini(session, tmp_path, both_backends):
    """Deploys the small diagram again with another task name each call: version 1, 2, …"""
    reference.load_roles(session, PROCESSES)
    (tmp_path / "forms" / "proposal").mkdir(parents=True)
    (tmp_path / "forms" / "proposal" / "review.json").write_text(json.dumps(FORM), encoding="utf-8")
    names = iter(["审核", "复核", "再审", "终审"])

    def deploy(on=session):
        path = tmp_path / "mini.bpmn"
        path.write_text(two_step().replace("审核", next(names)), encoding="utf-8")
        return definitions.deploy_file(on, path)

    return deploy


@contextmanager
def counting(session):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_one_transaction_asks_for_the_latest_version_once_and_reads_the_row_once_per_process(session, mini):
    first = mini()
    session.commit()
    with counting(session) as statements:
        latest = definitions.latest_version(session, "mini")
        assert definitions.latest_version(session, "mini") is latest
        assert inbox.start_form(session, "mini") == {}  # the start event has no form; same version, no query
    assert latest.id == first.id and latest.version == 1
    assert len([s for s in statements if "process_versions" in s]) == 2  # the latest id, then the row itself
    session.commit()
    with counting(session) as statements:
        assert definitions.latest_version(session, "mini") is latest
        assert definitions.version_by_id(session, first.id) is latest
    assert len([s for s in statements if "process_versions" in s]) == 1  # the latest id only: the row is cached
    assert "bpmn_xml" not in [s for s in statements if "process_versions" in s][0]


def test_a_version_deployed_by_another_session_is_seen_by_the_next_transaction(session, mini, engine_):
    mini()
    session.commit()
    assert definitions.latest_version(session, "mini").version == 1
    session.commit()
    with db.make_sessionmaker(engine_)() as other:
        mini(other)
        other.commit()
    assert definitions.latest_version(session, "mini").version == 2
    assert [v.version for v in definitions.latest_versions(session) if v.process_key == "mini"] == [2]


def test_a_version_deployed_in_this_transaction_is_seen_at_once_and_forgotten_when_rolled_back(session, mini):
    mini()
    session.commit()
    assert definitions.latest_version(session, "mini").version == 1
    second = mini()
    assert definitions.latest_version(session, "mini").id == second.id
    with pytest.raises(RuntimeError):
        with session.begin_nested():
            mini()
            assert definitions.latest_version(session, "mini").version == 3
            raise RuntimeError("changed my mind")
    assert definitions.latest_version(session, "mini").version == 2
    session.rollback()
    assert definitions.latest_version(session, "mini").version == 1


def test_cached_versions_are_in_no_session_and_equal_to_the_stored_rows(session, mini):
    stored = mini()
    session.commit()
    cached = definitions.latest_version(session, "mini")
    assert inspect(cached).detached and cached not in session
    for column in ("id", "process_key", "version", "name", "bpmn_xml", "sha256", "forms", "lane_roles",
                   "start_lane", "dependencies", "deployed_at"):
        assert getattr(cached, column) == getattr(stored, column), column
    assert inbox.start_form(session, cached) == {}
    with pytest.raises(NotFound):
        definitions.version_by_id(session, stored.id + 1000)
    with pytest.raises(NotFound):
        definitions.latest_version(session, "nope")
