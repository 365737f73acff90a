"""Two processes complete the same task at once: exactly one wins, the other is told, nothing is lost."""
from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from engine import clock, db, runtime
from engine.errors import Conflict
from engine.models import Event, OpenTask, User

from .flow import MONDAY, Flow

FORK = multiprocessing.get_context("fork")


def _complete(url: str, username: str, task_id: str, barrier, race_inside: bool, results) -> None:
    engine = db.make_engine(url)
    if race_inside:
        # Both processes have loaded and stepped the workflow before either saves: the optimistic lock decides.
        original = runtime._persist

        def persist_after_barrier(*args, **kwargs):
            barrier.wait(timeout=20)
            return original(*args, **kwargs)

        runtime._persist = persist_after_barrier
    else:
        barrier.wait(timeout=20)
    with db.writing(), db.make_sessionmaker(engine)() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        try:
            runtime.complete_task(session, user, task_id, {"decision": "立案"})
            session.commit()
            results.put("ok")
        except Conflict as err:
            session.rollback()
            results.put(f"conflict:{err.message}")
        except Exception as err:  # noqa: BLE001 - reported to the parent test
            session.rollback()
            results.put(f"error:{type(err).__name__}:{err}")
    engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_two_processes_completing_one_task(db_url, deployed, users):
    clock.set_now(MONDAY)
    flow = Flow(deployed, users)
    instance = flow.submit()
    task_id = flow.open(instance, "review")[0].id
    race_inside = db_url.startswith("postgresql")  # SQLite serialises writers: the race is at the door
    barrier, results = FORK.Barrier(2), FORK.Queue()
    workers = [FORK.Process(target=_complete, args=(db_url, "tiwei", task_id, barrier, race_inside, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    outcomes = sorted(results.get(timeout=5) for _ in workers)
    assert outcomes[1] == "ok", outcomes
    assert outcomes[0].startswith("conflict:"), outcomes

    session = flow.session
    session.rollback()  # end the read snapshot taken before the workers ran
    completes = session.scalar(select(func.count()).select_from(Event).where(
        Event.task_id == task_id, Event.kind == "complete"))
    assert completes == 1
    assert [row.bpmn_id for row in session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id))] == [
        "assign"]
