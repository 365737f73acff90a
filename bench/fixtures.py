"""Databases to measure on: the demo people and the deployed diagrams, plus proposals waiting at 审查立案.

Instances are made by the engine once; further copies of that instance are written with plain INSERTs (every task id
in the saved state replaced by a fresh one) so that hundreds of open review tasks cost well under a second.
"""
from __future__ import annotations

import re
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.engine import Engine

from engine import clock, db as engine_db, models, schema
from engine.definitions import deploy as definitions
from engine.people import demo, directory as reference
from engine.calendar import holidays
from engine.runtime import verbs as runtime
from engine.models import Event, Instance, OpenTask, User
from engine.procedures.proposal.records import Proposal

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"

SUBMIT = {"title": "关于加快城区老旧小区改造的建议", "category": "社会", "content": "城区老旧小区管网老化，居民反映强烈。",
          "suggestion": "一、摸清底数；二、分年度实施；三、引入社会资本。"}
REVIEW = {"decision": "立案", "is_key": True,  # what the review form yields for 立案 + 重点提案 and its leaders
          "lead_leader": "lingdao", "oversight_leader": "zhuxi"}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Database:
    url: str
    engine: Engine

    def session(self):
        return engine_db.make_sessionmaker(self.engine)()

    def dispose(self) -> None:
        self.engine.dispose()


def build(url: str) -> Database:
    """Schema, roles, units, demo people and every shipped diagram (as tests/web builds its demo database)."""
    engine = engine_db.make_engine(url)
    schema.create_schema(engine)
    with engine_db.make_sessionmaker(engine)() as session:
        reference.load_roles(session, PROCESSES)
        reference.load_units(session, PROCESSES)
        demo.load_demo(session, PROCESSES)
        definitions.deploy_directory(session, PROCESSES)
        holidays.seed_from_library(session)  # as `xieshang init-db` does
        session.commit()
    return Database(url, engine)


def open_sqlite(path: Path) -> Database:
    return Database(f"sqlite:///{path}", engine_db.make_engine(f"sqlite:///{path}"))


def sqlite_copy(template: Path, path: Path) -> Database:
    shutil.copy(template, path)
    return open_sqlite(path)


def user(session, username: str) -> User:
    """A user with roles and unit loaded, usable after its session is gone (the engine reads nothing lazily)."""
    found = session.scalars(select(User).where(User.username == username)).one()
    found.role_keys  # noqa: B018 - load roles
    return found


def start_one(database: Database, username: str = "member1", data: dict | None = None) -> int:
    with database.session() as session, engine_db.writing():
        instance = runtime.start_instance(session, user(session, username), "proposal", data or SUBMIT)
        session.commit()
        return instance.id


def clone(database: Database, source_id: int, count: int) -> list[str]:
    """`count` copies of a running instance (state, inbox rows, start event, proposal record) with fresh task ids
    and the next business keys; returns the new open task ids in creation order."""
    inst_t, task_t, event_t, prop_t = (Instance.__table__, OpenTask.__table__, Event.__table__, Proposal.__table__)
    with database.session() as session, engine_db.writing():
        src = dict(session.execute(select(inst_t).where(inst_t.c.id == source_id)).mappings().one())
        tasks = [dict(r) for r in session.execute(select(task_t).where(task_t.c.instance_id == source_id)).mappings()]
        events = [dict(r) for r in session.execute(select(event_t).where(event_t.c.instance_id == source_id)).mappings()]
        proposal = dict(session.execute(select(prop_t).where(prop_t.c.instance_id == source_id)).mappings().one())
        year = clock.now().year
        taken = session.scalar(select(func.count()).select_from(inst_t).where(
            inst_t.c.process_key == src["process_key"], inst_t.c.business_key.like(f"{year}-%")))
        counter = getattr(models, "Counter", None)  # the engine's per-process, per-year number counter
        if counter is not None:
            counter_key = f"{src['process_key']}:{year}"
            taken = max(taken, session.scalar(select(counter.value).where(counter.key == counter_key)) or 0)
        ids = sorted(set(UUID_RE.findall(src["state"])))
        quoted_key = f'"{src["business_key"]}"'
        instance_rows, keys, maps = [], [], []
        for i in range(count):
            key = f"{year}-{taken + 1 + i:03d}"
            fresh = {old: str(uuid.uuid4()) for old in ids}
            state = UUID_RE.sub(lambda m: fresh[m.group(0)], src["state"]).replace(quoted_key, f'"{key}"')
            row = {k: v for k, v in src.items() if k != "id"}
            row.update(state=state, business_key=key, lock_version=1)
            instance_rows.append(row)
            keys.append(key)
            maps.append(fresh)
        new_ids = list(session.scalars(insert(inst_t).returning(inst_t.c.id, sort_by_parameter_order=True),
                                       instance_rows))
        task_rows, event_rows, prop_rows = [], [], []
        for new_id, key, fresh in zip(new_ids, keys, maps):
            for t in tasks:
                task_rows.append({**t, "id": fresh.get(t["id"], t["id"]), "instance_id": new_id, "business_key": key})
            for e in events:
                event_rows.append({**{k: v for k, v in e.items() if k != "id"}, "instance_id": new_id})
            prop_rows.append({**{k: v for k, v in proposal.items() if k != "id"}, "instance_id": new_id,
                              "number": key})
        if counter is not None:
            bump = update(counter).where(counter.key == counter_key).values(value=taken + count)
            if session.execute(bump).rowcount == 0:
                session.add(counter(key=counter_key, value=taken + count))
        session.execute(insert(task_t), task_rows)
        session.execute(insert(event_t), event_rows)
        session.execute(insert(prop_t), prop_rows)
        session.commit()
        return [r["id"] for r in task_rows]


def review_tasks(database: Database, count: int) -> list[str]:
    """`count` open 审查立案 tasks, each on its own proposal."""
    source = start_one(database)
    with database.session() as session:
        first = session.scalar(select(OpenTask.id).where(OpenTask.instance_id == source))
    return [first, *clone(database, source, count - 1)] if count > 1 else [first]


def delete_instances_after(session, last_id: int) -> None:
    """Remove instances with id > last_id and every row that points at them (the caller commits)."""
    instances = Instance.__table__
    for table in reversed(models.Base.metadata.sorted_tables):
        for column in table.columns:
            if any(fk.column is instances.c.id for fk in column.foreign_keys):
                session.execute(table.delete().where(column > last_id))
    session.execute(instances.delete().where(instances.c.id > last_id))


class Counter:
    """SQL statements and commits seen on an engine (per thread, so a threaded server can count per request)."""

    def __init__(self, engine: Engine):
        import threading

        self._local = threading.local()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _state(self):
        if not hasattr(self._local, "statements"):
            self._local.statements, self._local.commits, self._local.log = 0, 0, None
        return self._local

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        state = self._state()
        state.statements += 1
        if state.log is not None:
            state.log.append(statement.split("\n")[0][:100])

    def _commit(self, conn):
        self._state().commits += 1

    def reset(self, log: bool = False) -> None:
        state = self._state()
        state.statements, state.commits, state.log = 0, 0, ([] if log else None)

    def read(self) -> tuple[int, int]:
        state = self._state()
        return state.statements, state.commits

    def statements(self) -> list[str]:
        return list(self._state().log or [])


@contextmanager
def pg_schema(name: str):
    """A fresh PostgreSQL schema for this run (dropped afterwards); yields the URL that uses it."""
    admin = engine_db.make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {name}"))
        yield f"{PG_URL}?options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()


def pg_available() -> str | None:
    """None when the server answers, else why not."""
    try:
        admin = engine_db.make_engine(PG_URL)
        with admin.connect() as conn:
            conn.execute(text("select 1"))
        admin.dispose()
        return None
    except Exception as err:  # noqa: BLE001 - any reason the server is not usable
        return str(err).splitlines()[0][:80]
