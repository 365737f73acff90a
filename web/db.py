"""One SQLAlchemy session per request: opened lazily, one transaction per request, closed at teardown.

The transaction is decided here, not in the views: before the request, whether it will write (SQLite's write lock,
below); after the view, a POST that answered with success (2xx, 3xx) commits, and anything else rolls back — every
GET (pages only read), a refusal (4xx) and an exception. A view wraps the engine call a form posts to in
`invalid_input()` to show the form again over the state before the call, with the engine's errors.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Flask, current_app, g, request, session as cookie
from sqlalchemy.orm import Session

from engine.errors import FormInvalid
from engine.settings import Settings

EXTENSION = "xieshang_db"


def init_app(app: Flask, settings: Settings) -> None:
    from engine.db import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    app.extensions[EXTENSION] = {"engine": engine, "sessionmaker": make_sessionmaker(engine, settings),
                                 "settings": settings}
    app.before_request(_declare_intent)
    app.teardown_request(_end_intent)
    app.teardown_appcontext(_close)


def install(app: Flask) -> None:
    """Once every blueprint is registered: each view runs as the request's one transaction."""
    for endpoint, view in app.view_functions.items():
        app.view_functions[endpoint] = _transaction(view)


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


def settings() -> Settings:
    """The app's settings (engine code gets them with the session: engine.settings.of)."""
    return current_app.extensions[EXTENSION]["settings"]


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION]["sessionmaker"]()
    return g.db_session


def rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def keep_writes() -> None:
    """This request answers with a refusal but keeps what it wrote before it (a refused deploy keeps the edits)."""
    g.keep_writes = True


class invalid_input:  # noqa: N801 - used as a with-statement, like contextlib's
    """`with invalid_input() as invalid:` around the engine call a form posts to (and the redirect after it). Input
    the engine refuses (FormInvalid, or the kinds given) rolls back what the call wrote and leaves the error in
    `invalid.error` (`invalid.errors` for the fields), so the view shows the form again; it answers 4xx, so nothing
    of the request is committed."""

    def __init__(self, *kinds: type[Exception]) -> None:
        self.kinds = kinds or (FormInvalid,)
        self.error: Exception | None = None

    @property
    def errors(self) -> dict[str, str]:
        """The refused fields' messages, in the request's language."""
        from web.i18n import translated_errors

        return translated_errors(getattr(self.error, "errors", None))

    @property
    def message(self) -> str:
        from web.i18n import translated

        return translated(getattr(self.error, "message", ""))

    def __enter__(self) -> "invalid_input":
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        if error is None or not isinstance(error, self.kinds):
            return False
        rollback()
        self.error = error
        return True


def _transaction(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            rollback()
            raise
        _finish(response.status_code)
        return response

    return run


def _finish(status: int) -> None:
    session = g.get("db_session")
    if session is None:
        return
    if request.method != "POST" or (status >= 400 and not g.pop("keep_writes", False)):
        session.rollback()
        return
    try:
        session.commit()
    except Exception:
        session.rollback()
        cookie.pop("_flashes", None)  # the "saved" message a view flashed did not come true
        raise


def dispose(app: Flask) -> None:
    app.extensions[EXTENSION]["engine"].dispose()


def _close(exc: BaseException | None = None) -> Any:
    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()
