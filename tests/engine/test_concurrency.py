"""Two processes complete the same task at once: exactly one wins, the other is told, nothing is lost."""
from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from engine import clock, db
from engine.runtime import audit, verbs as runtime
from engine.errors import Conflict
from engine.models import Event, OpenTask, User

from .flow import MONDAY, Flow

FORK = multiprocessing.get_context("fork")


def _complete(url: str, username: str, task_id: str, barrier, race_inside: bool, results,
              data: dict | None = None) -> None:
    engine = db.make_engine(url)
    intent = db.set_write_intent(not race_inside)
    if race_inside:
        # As the web completes a task: both processes read and step the workflow in a read transaction, then meet
        # here, just before each takes the write lock; the lock_version read decides who saves first and the other
        # does it again from what is saved now.
        original, calls = db.take_write_lock, []

        def lock_after_barrier(session):
            if not calls:
                calls.append(1)
                barrier.wait(timeout=20)
            return original(session)

        db.take_write_lock = lock_after_barrier
    else:
        barrier.wait(timeout=20)
    with db.make_sessionmaker(engine)() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        try:
            runtime.complete_task(session, user, task_id, data or {"decision": "立案"})
            session.commit()
            results.put("ok")
        except Conflict as err:
            session.rollback()
            results.put(f"conflict:{err.message}")
        except Exception as err:  # noqa: BLE001 - reported to the parent test
            session.rollback()
            results.put(f"error:{type(err).__name__}:{err}")
    db.reset_write_intent(intent)
    engine.dispose()


@pytest.mark.parametrize("race_inside", [False, True], ids=["writers", "readers-first"])
@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_two_processes_completing_one_task(db_url, deployed, users, race_inside):
    clock.set_now(MONDAY)
    flow = Flow(deployed, users)
    instance = flow.submit()
    task_id = flow.open(instance, "review")[0].id
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
    # The state itself, not only the rows: one chain of two events, the review done once, the loser told who won.
    session.expire_all()
    assert session.scalars(select(Event.kind).where(Event.instance_id == instance.id).order_by(Event.id)).all() == [
        "start", "complete"]
    assert audit.verify(session, instance.id)
    assert runtime.instance_data(session, instance)["decision"] == "立案"
    assert "已由" in outcomes[0] and "办理" in outcomes[0], outcomes


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_two_steps_of_one_instance_completed_at_once_both_count(db_url, deployed, users):
    """Two co-units give their opinions at the same moment: the second to save finds the instance moved and does
    its step again from the saved state, so both opinions are kept and the lead unit's reply opens once."""
    clock.set_now(MONDAY)
    flow = Flow(deployed, users)
    instance = flow.to_handling(co_units=["fgw", "jyj"])
    tasks = {unit: flow.task_of(f"{unit}_clerk", instance, "co_opinion").id for unit in ("fgw", "jyj")}
    barrier, results = FORK.Barrier(2), FORK.Queue()
    workers = [FORK.Process(target=_complete, args=(db_url, f"{unit}_clerk", task_id, barrier, True, results,
                                                    {"co_opinion": f"{unit}的意见"}))
               for unit, task_id in tasks.items()]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(results.get(timeout=5) for _ in workers) == ["ok", "ok"]

    session = flow.session
    session.rollback()
    session.expire_all()
    assert flow.open_ids(instance) == ["handle"]
    opinions = runtime.instance_data(session, instance)["co_opinions"]
    assert sorted((o["unit"], o["opinion"]) for o in opinions) == [("fgw", "fgw的意见"), ("jyj", "jyj的意见")]
    completes = session.scalar(select(func.count()).select_from(Event).where(
        Event.instance_id == instance.id, Event.kind == "complete", Event.bpmn_id == "co_opinion"))
    assert completes == 2
    assert audit.verify(session, instance.id)
