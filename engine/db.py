"""Engine and session factories: SQLite file by default, PostgreSQL when a URL is given."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.settings import DEFAULT_URL, KEY, Settings

_write_intent: ContextVar[bool] = ContextVar("xieshang_write_intent", default=False)
_WRITER = "xieshang_writer"  # connection.info: the open SQLite transaction holds the write lock


@contextmanager
def writing():
    """Transactions begun inside this block intend to write (on SQLite: BEGIN IMMEDIATE)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def set_write_intent(flag: bool):
    """For request hooks that cannot use a with-block; returns the token for `reset_write_intent`."""
    return _write_intent.set(flag)


def reset_write_intent(token) -> None:
    _write_intent.reset(token)


def database_url(url: str | None = None) -> str:
    return url or DEFAULT_URL


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _sqlite_setup(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A transaction that will write takes the write lock up front (BEGIN IMMEDIATE): two workers completing
        # tasks then queue behind each other instead of failing on a stale read snapshot (SQLITE_BUSY_SNAPSHOT).
        # Reads stay deferred so that an open reader never blocks a writer.
        immediate = _write_intent.get()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        conn.info[_WRITER] = immediate


def take_write_lock(session: Session) -> None:
    """From here on this transaction writes. On SQLite a transaction that began as a reader ends its read snapshot
    and takes the write lock (BEGIN IMMEDIATE), so that the lock is held for the writes only, not for the reads and
    the computing before them; the caller must then check that what it read is still current (the instance's
    lock_version). Nothing may have been written before. Elsewhere (PostgreSQL, or a writer already) nothing to do."""
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return
    conn = session.connection()
    if conn.info.get(_WRITER, True):
        return
    conn.exec_driver_sql("COMMIT")
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    conn.info[_WRITER] = True


def make_sessionmaker(engine: Engine, settings: Settings | None = None) -> sessionmaker[Session]:
    """Sessions that carry `settings` to the engine (engine.settings.of); the defaults when none are given."""
    return sessionmaker(engine, expire_on_commit=False, info={KEY: settings} if settings is not None else None)
