"""Item 16 of the hardening: two account changes at once chain one after the other (the account log never forks, on
PostgreSQL too), and a deactivated person's claimed tasks return to the pool with a line saying so."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from engine import clock
from engine.db import make_sessionmaker, writing
from engine.models import Event, OpenTask, User
from engine.people import accounts
from engine.worklist import claims

from .flow import MONDAY, Flow


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def test_two_simultaneous_account_changes_do_not_fork_the_log(deployed, engine_, both_backends):
    maker = make_sessionmaker(engine_)
    first_done = threading.Event()
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with maker() as other, writing():
                accounts.update(other, _user(other, "admin"), _user(other, "member5").id, unit="",
                                role_keys=["member", "proposal_committee"])
                other.commit()
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)
        first_done.wait(0)

    with maker() as one, writing():
        accounts.set_active(one, _user(one, "admin"), _user(one, "member4").id, False)  # flushed, not committed
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.8)  # the second change reaches the log's head while the first still holds it
        one.commit()
    thread.join(timeout=30)
    assert not failures, failures
    deployed.expire_all()
    events = deployed.scalars(select(Event).where(Event.kind.in_(accounts.KINDS)).order_by(Event.id)).all()
    disable, update = events[-2], events[-1]
    assert (disable.kind, update.kind) == ("account_disable", "account_update")
    assert update.prev_hash == disable.hash, "both changes chained after the same event: the log forked"
    assert accounts.verify_log(deployed)


def test_a_deactivated_persons_claimed_tasks_return_to_the_pool_with_a_note(deployed, users, both_backends):
    clock.set_now(MONDAY)
    flow = Flow(deployed, users)
    mine = flow.submit("member1", title="关于停用账号后待办去向的建议")
    delegated = flow.submit("member2", title="关于委托办理的建议")
    for instance in (mine, delegated):
        flow.do("tiwei", instance, "review", {"decision": "立案"})
    office1, office2, admin = flow.user("office1"), flow.user("office2"), flow.user("admin")
    claimed = flow.open(mine, "assign")[0].id
    handed = flow.open(delegated, "assign")[0].id
    claims.claim(deployed, office1, claimed)
    claims.claim(deployed, office1, handed)
    claims.delegate(deployed, office1, handed, "office2")  # office2 does it on office1's behalf
    kept = flow.open(flow.submit("member3", title="关于另一件的建议"), "review")[0].id
    claims.claim(deployed, flow.user("tiwei"), kept)
    deployed.commit()

    accounts.set_active(deployed, admin, office1.id, False)
    deployed.commit()
    deployed.expire_all()
    rows = {row.id: row for row in deployed.scalars(select(OpenTask))}
    assert (rows[claimed].claimed_by_id, rows[claimed].delegated_by_id) == (None, None)  # back to the pool
    assert (rows[handed].claimed_by_id, rows[handed].delegated_by_id) == (office2.id, None)  # the colleague keeps it
    assert rows[kept].claimed_by_id == flow.user("tiwei").id  # others' claims untouched
    notes = {e.task_id: e for e in deployed.scalars(select(Event).where(Event.data["reason"].as_string()
                                                                        == "deactivated"))}
    assert notes[claimed].kind == "release" and notes[claimed].actor_id == admin.id
    assert notes[claimed].data["user"] == office1.name and notes[handed].kind == "return"
    assert set(notes) == {claimed, handed}
    claims.claim(deployed, office2, claimed)  # the pool's: a colleague takes it on
    deployed.commit()
