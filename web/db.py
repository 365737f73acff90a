"""One SQLAlchemy session per request: opened lazily, committed once by the controller, closed at teardown."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session

EXTENSION = "xieshang_db"


def init_app(app: Flask) -> None:
    from engine.db import make_engine, make_sessionmaker

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[EXTENSION] = {"engine": engine, "sessionmaker": make_sessionmaker(engine)}
    app.before_request(_declare_intent)
    app.teardown_request(_end_intent)
    app.teardown_appcontext(_close)


def reads_first(view: Any) -> Any:
    """Marks a POST view whose engine verb takes the write lock itself once it has read and computed
    (engine.db.take_write_lock, then a lock_version check): on SQLite the request does not hold the database's
    single write lock while it reads and runs the workflow, so two workers compute in parallel."""
    view.xieshang_reads_first = True
    return view


def _declare_intent() -> None:
    # A POST will write: on SQLite its transaction takes the write lock at BEGIN, so concurrent writers queue
    # instead of failing on a stale snapshot; GET requests and `reads_first` views begin as plain readers.
    if request.method == "POST" and not getattr(current_app.view_functions.get(request.endpoint or ""),
                                                "xieshang_reads_first", False):
        from engine.db import set_write_intent

        g.write_intent = set_write_intent(True)


def _end_intent(exc: BaseException | None = None) -> None:
    token = g.pop("write_intent", None)
    if token is not None:
        from engine.db import reset_write_intent

        reset_write_intent(token)


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION]["sessionmaker"]()
    return g.db_session


def commit() -> None:
    """The single commit at the end of a successful POST handler."""
    get_session().commit()


def rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def dispose(app: Flask) -> None:
    app.extensions[EXTENSION]["engine"].dispose()


def _close(exc: BaseException | None = None) -> Any:
    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
