"""Where the time of a completion, a start and an inbox page goes: `python -m bench.profile [--cprofile]`.

Phase times are measured without a profiler: the functions named below are wrapped with a timer that keeps
*exclusive* time (a phase's time minus the phases called inside it), and the SQL driver's own time is taken from
SQLAlchemy's before/after_cursor_execute events. Whatever no wrapper claims is listed as the caller's own time
("… itself": Python glue, SQLAlchemy statement building and ORM bookkeeping done directly in that function).
The web requests run the real app through its WSGI callable in this process (waitress and the socket add
≈0.6 ms, measured separately by `python -m bench`). `--cprofile` adds cProfile's top functions for each path.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import event


class Phases:
    def __init__(self):
        self.totals: dict[str, float] = defaultdict(float)
        self.stack: list[float] = []
        self.undo: list = []
        self.missing: list[str] = []

    def wrap(self, owner, attr: str, name: str) -> None:
        original = owner.__dict__.get(attr) if isinstance(owner, type) else getattr(owner, attr, None)
        if original is None:  # renamed or gone in the code under test: its time stays with its caller
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{attr}")
            return
        if isinstance(original, (staticmethod, classmethod)):
            raise TypeError(f"{owner}.{attr}: wrap the function, not a {type(original).__name__}")
        phases = self

        @functools.wraps(original)
        def timed(*args, **kwargs):
            phases.stack.append(0.0)
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                inner = phases.stack.pop()
                phases.totals[name] += elapsed - inner
                if phases.stack:
                    phases.stack[-1] += elapsed

        setattr(owner, attr, timed)
        self.undo.append((owner, attr, original))

    def sql(self, engine) -> None:
        starts: list[float] = []

        def before(*_a):
            self.stack.append(0.0)
            starts.append(time.perf_counter())

        def after(*_a):
            elapsed = time.perf_counter() - starts.pop()
            self.stack.pop()
            self.totals["SQL: driver executes statements"] += elapsed
            if self.stack:
                self.stack[-1] += elapsed

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        self.undo.append((engine, before, after))

    def restore(self) -> None:
        for item in reversed(self.undo):
            if len(item) == 3 and isinstance(item[1], str):
                setattr(*item)
            else:
                engine, before, after = item
                event.remove(engine, "before_cursor_execute", before)
                event.remove(engine, "after_cursor_execute", after)
        self.undo.clear()

    def reset(self) -> None:
        self.totals.clear()

    def report(self, title: str, n: int, total_ms: float) -> str:
        rows = sorted(((v * 1000 / n, k) for k, v in self.totals.items()), reverse=True)
        claimed = sum(ms for ms, _k in rows)
        lines = [f"{title}: {total_ms:.2f} ms per operation (median wall time, n={n}; phases are means)",
                 f"  {'ms':>6}  {'share':>5}  phase"]
        for ms, key in rows:
            if ms >= 0.005:
                lines.append(f"  {ms:6.2f}  {ms / claimed * 100:4.0f}%  {key}")
        lines.append(f"  {claimed:6.2f}  100%  (sum of phases, mean)")
        if self.missing:
            lines.append(f"  (not found, time counted in the caller: {', '.join(self.missing)})")
        return "\n".join(lines)


def _engine_phases(phases: Phases) -> None:
    from sqlalchemy.orm import Session

    from engine.runtime import audit, messages, projections, verbs as runtime, state
    from engine.definitions import forms
    from engine.cases import references

    phases.wrap(runtime, "complete_task", "engine: complete_task itself (ORM selects, glue)")
    phases.wrap(runtime, "start_instance", "engine: start_instance itself (ORM, glue)")
    phases.wrap(runtime, "_open_task_or_raise", "engine: load the open task row (ORM)")
    phases.wrap(runtime, "_next_business_key", "engine: next business key (UPDATE … RETURNING)")
    phases.wrap(runtime, "_persist", "engine: _persist itself (ORM insert/delete building)")
    phases.wrap(state, "load", "SpiffWorkflow: deserialize state (spec reattached from the cache)")
    phases.wrap(state, "dump", "SpiffWorkflow: serialize state (without the spec)")
    phases.wrap(state, "new_workflow", "SpiffWorkflow: new workflow")
    phases.wrap(runtime, "_step", "SpiffWorkflow: task.run + do_engine_steps")
    phases.wrap(state, "ready_user_tasks", "SpiffWorkflow: find READY user tasks")
    phases.wrap(state, "current_data", "SpiffWorkflow: merge current data")
    phases.wrap(forms, "validate", "engine: validate form data (jsonschema)")
    phases.wrap(references, "check", "engine: check references")
    phases.wrap(runtime, "open_task_row", "engine: build inbox rows (due dates, candidates)")
    phases.wrap(audit, "record", "engine: audit event (hash chain)")
    phases.wrap(projections, "apply", "engine: proposal projection (UPDATE proposals)")
    phases.wrap(messages, "sync_waits", "engine: message subscriptions")
    phases.wrap(messages, "next_timer", "engine: next timer")
    phases.wrap(messages, "deliver", "engine: deliver thrown messages")
    try:
        from engine.worklist import notifications
    except ImportError:
        notifications = None
    if notifications is not None:
        phases.wrap(notifications, "on_new_tasks", "engine: notifications for new tasks (INSERT … SELECT)")
        phases.wrap(notifications, "on_completed", "engine: notifications, delegated task done")
    phases.wrap(Session, "flush", "SQLAlchemy: flush (unit of work)")
    phases.wrap(Session, "commit", "SQLAlchemy: commit (incl. the driver's COMMIT)")
    phases.wrap(Session, "close", "SQLAlchemy: close session, return connection")


def api_completion(n: int, scratch: Path, use_cprofile: bool) -> str:
    from engine import db as engine_db
    from engine.runtime import verbs as runtime

    from . import fixtures

    database = fixtures.build(f"sqlite:///{scratch / 'api.db'}")
    tasks = fixtures.review_tasks(database, n + 20)
    with database.session() as session:
        actor = fixtures.user(session, "tiwei")

    def once(task_id):
        with database.session() as session, engine_db.writing():
            runtime.complete_task(session, actor, task_id, fixtures.REVIEW)
            session.commit()

    for task_id in tasks[:20]:
        once(task_id)
    walls = []
    phases = Phases()
    _engine_phases(phases)
    phases.sql(database.engine)
    try:
        for task_id in tasks[20:]:
            t0 = time.perf_counter()
            once(task_id)
            walls.append((time.perf_counter() - t0) * 1000)
    finally:
        phases.restore()
    out = phases.report("engine API: complete_task + commit (SQLite)", n, statistics.median(walls))
    if use_cprofile:
        more = fixtures.review_tasks(database, n)
        out += "\n" + _cprofile(lambda: [once(t) for t in more], n)
    database.dispose()
    return out


class InProcess:
    """The app's WSGI callable driven directly, with a browser's cookie, form body and headers."""

    def __init__(self, app, cookie: str):
        self.app, self.cookie = app, cookie

    def call(self, method: str, path: str, form: list | None = None) -> tuple[int, bytes]:
        from werkzeug.test import EnvironBuilder

        from .client import UA

        body = urlencode(form).encode() if form is not None else None
        builder = EnvironBuilder(path=path, method=method, data=body, base_url="http://127.0.0.1:5000",
                                 headers={"Cookie": self.cookie, "User-Agent": UA,
                                          "Accept-Language": "zh-CN,zh;q=0.9"},
                                 content_type="application/x-www-form-urlencoded" if form is not None else None)
        environ = builder.get_environ()
        builder.close()
        status = []
        chunks = self.app.wsgi_app(environ, lambda s, h, e=None: status.append(s))
        data = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return int(status[0].split()[0]), data


def _web_phases(phases: Phases, app) -> None:
    import flask.sessions
    import flask_babel
    import flask_wtf.csrf
    import jinja2

    import web.inbox
    import web.proposals
    from engine.definitions import deploy as definitions
    from engine.worklist import inbox

    phases.wrap(flask.Flask, "wsgi_app", "Flask: request dispatch, routing, hooks, response")
    phases.wrap(flask.sessions.SecureCookieSessionInterface, "open_session", "Flask: read + verify session cookie")
    phases.wrap(flask.sessions.SecureCookieSessionInterface, "save_session", "Flask: sign + set session cookie")
    phases.wrap(flask_wtf.csrf.CSRFProtect, "protect", "Flask-WTF: check CSRF token")
    phases.wrap(flask_babel, "get_locale", "Flask-Babel: get_locale")
    login = app.login_manager
    phases.wrap(login, "_user_callback", "web: load the logged-in user (1 SELECT)")
    app.view_functions["inbox.task"] = _rewrap(app.view_functions["inbox.task"], phases, "web: task view itself")
    app.view_functions["proposals.new"] = _rewrap(app.view_functions["proposals.new"], phases,
                                                  "web: 提交提案 view itself")
    app.view_functions["inbox.index"] = _rewrap(app.view_functions["inbox.index"], phases, "web: inbox view itself")
    phases.wrap(inbox, "open_task_for", "web→engine: open_task_for (SELECT open task + version id)")
    phases.wrap(inbox, "open_task_to_complete", "web→engine: open_task_to_complete (SELECT task + instance)")
    phases.wrap(inbox, "task_form", "web→engine: task_form (cached version)")
    phases.wrap(inbox, "tasks_for", "web→engine: tasks_for (inbox query + 200 ORM rows)")
    phases.wrap(inbox, "start_form", "web→engine: start_form")
    phases.wrap(definitions, "startable_processes", "web→engine: startable_processes (SELECT versions)")
    phases.wrap(web.inbox, "parse_form", "web: parse form")
    phases.wrap(web.proposals, "parse_form", "web: parse form")
    phases.wrap(jinja2.Template, "render", "Jinja2: render template")
    try:
        from engine.worklist import saved_views as savedviews, pages as worklist
        from engine.calendar import workdays
    except ImportError:
        return
    phases.wrap(worklist, "list_open", "web→engine: worklist page (COUNT + page query, rows)")
    phases.wrap(worklist, "counts", "web→engine: worklist tab counts (each capped at 1000+)")
    phases.wrap(worklist, "processes", "web→engine: worklist process filter (SELECT versions)")
    phases.wrap(savedviews, "views_for", "web→engine: saved views")
    phases.wrap(workdays, "working_days_left", "engine: working days left (a lookup per row)")


def _rewrap(view, phases: Phases, name: str):
    @functools.wraps(view)
    def timed(*args, **kwargs):
        phases.stack.append(0.0)
        t0 = time.perf_counter()
        try:
            return view(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - t0
            inner = phases.stack.pop()
            phases.totals[name] += elapsed - inner
            if phases.stack:
                phases.stack[-1] += elapsed

    return timed


def web_paths(n: int, scratch: Path, use_cprofile: bool, inbox_rows: int = 200) -> str:
    from web import create_app
    from web.db import EXTENSION

    from . import fixtures
    from .client import page_form
    from .server import SECRET

    database = fixtures.build(f"sqlite:///{scratch / 'web.db'}")
    tasks = fixtures.review_tasks(database, 2 * n + 40 + inbox_rows)
    database.dispose()
    app = create_app({"DATABASE_URL": database.url, "SECRET_KEY": SECRET})
    outputs = []

    def login(username):
        client = app.test_client()
        page = client.get("/login")
        form = page_form(page.data, "/login").filled({"username": username, "password": "xieshang"})
        response = client.post("/login", data=dict(form))
        assert response.status_code == 302, response.status_code
        cookie = client.get_cookie("session")
        return InProcess(app, f"session={cookie.value}")

    committee, member, office = login("tiwei"), login("member1"), login("office1")
    status, page = committee.call("GET", f"/tasks/{tasks[0]}")
    complete_body = page_form(page).filled({"decision": "立案", "is_key": "true", "lead_leader": "lingdao", "oversight_leader": "zhuxi"})
    status, page = member.call("GET", "/proposals/new")
    start_body = page_form(page).filled(dict(fixtures.SUBMIT))
    engine = app.extensions[EXTENSION]["engine"]
    queue = iter(tasks)

    def complete_once():
        status, _body = committee.call("POST", f"/tasks/{next(queue)}", complete_body)
        assert status == 302, status

    def start_once():
        status, _body = member.call("POST", "/proposals/new", start_body)
        assert status == 302, status

    def inbox_once():
        status, _body = office.call("GET", "/inbox")
        assert status == 200, status

    for title, once in (("HTTP POST /tasks/<id> (in-process WSGI, SQLite)", complete_once),
                        ("HTTP POST /proposals/new (in-process WSGI, SQLite)", start_once)):
        for _ in range(20):
            once()
        phases = Phases()
        _engine_phases(phases)
        _web_phases(phases, app)
        phases.sql(engine)
        walls = []
        try:
            for _ in range(n):
                t0 = time.perf_counter()
                once()
                walls.append((time.perf_counter() - t0) * 1000)
        finally:
            phases.restore()
            app.view_functions.update(_original_views(app))
        outputs.append(phases.report(title, n, statistics.median(walls)))
        if use_cprofile:
            outputs.append(_cprofile(lambda: [once() for _ in range(n // 2)], n // 2))
    # the office clerk now has `inbox_rows`+ 交办 tasks (the completions above opened them): 200 rows shown
    for _ in range(inbox_rows):
        complete_once()
    for _ in range(20):
        inbox_once()
    phases = Phases()
    _web_phases(phases, app)
    phases.sql(engine)
    walls = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            inbox_once()
            walls.append((time.perf_counter() - t0) * 1000)
    finally:
        phases.restore()
        app.view_functions.update(_original_views(app))
    outputs.append(phases.report(f"HTTP GET /inbox, {inbox_rows}+ open tasks in her lane (in-process WSGI, SQLite, "
                                 "small database)", n,
                                 statistics.median(walls)))
    if use_cprofile:
        outputs.append(_cprofile(lambda: [inbox_once() for _ in range(n // 2)], n // 2))
    from web.db import dispose

    dispose(app)
    return "\n\n".join(outputs)


def inbox_big(n: int, tier: int, use_cprofile: bool, data_dir: Path | None = None) -> str:
    """GET /inbox of office1 and czj_clerk on the large database of `python -m bench` (1M finished instances, `tier`
    open tasks), phase by phase, plus the SQL of office1's page with its query plans (SQLite's EXPLAIN QUERY PLAN)."""
    import fcntl

    from sqlalchemy import text

    from web import create_app
    from web.db import EXTENSION, dispose

    from . import bigdb
    from .client import page_form
    from .run import Config, tier_name
    from .server import SECRET

    config = Config()
    directory = data_dir or config.data_dir
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the bench run may be regenerating or refilling it
        path, _reused = bigdb.ensure(directory, config.finished, max(config.tiers), log=print)
        hers = bigdb.set_open_tasks(path, tier)
        app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": SECRET})
        engine = app.extensions[EXTENSION]["engine"]
        outputs = []
        try:
            for username in ("office1", "czj_clerk"):
                client = app.test_client()
                form = page_form(client.get("/login").data, "/login").filled({"username": username,
                                                                               "password": "xieshang"})
                assert client.post("/login", data=dict(form)).status_code == 302
                browser = InProcess(app, f"session={client.get_cookie('session').value}")

                def inbox_once():
                    status, _body = browser.call("GET", "/inbox")
                    assert status == 200, status

                for _ in range(20):
                    inbox_once()
                phases = Phases()
                _web_phases(phases, app)
                phases.sql(engine)
                walls = []
                try:
                    for _ in range(n):
                        t0 = time.perf_counter()
                        inbox_once()
                        walls.append((time.perf_counter() - t0) * 1000)
                finally:
                    phases.restore()
                    app.view_functions.update(_original_views(app))
                walls.sort()
                outputs.append(phases.report(
                    f"HTTP GET /inbox, {username}, {tier_name(tier)} open tasks + {tier_name(config.finished)} "
                    f"finished ({hers} in office1's lane; in-process WSGI, SQLite; p95 "
                    f"{walls[int(0.95 * (len(walls) - 1))]:.2f} ms)", n, statistics.median(walls)))
                if use_cprofile:
                    outputs.append(_cprofile(lambda: [inbox_once() for _ in range(n // 2)], n // 2))
                if username == "office1":
                    statements: list[tuple[str, tuple]] = []

                    def keep(_conn, _cursor, statement, parameters, *_a):
                        statements.append((statement, parameters))

                    event.listen(engine, "before_cursor_execute", keep)
                    try:
                        inbox_once()
                    finally:
                        event.remove(engine, "before_cursor_execute", keep)
                    plans = []
                    with engine.connect() as conn:
                        for statement, parameters in statements:
                            if "open_tasks" not in statement:
                                continue
                            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                            steps = sorted({row[3].strip() for row in plan if row[3].startswith(("SEARCH", "SCAN",
                                                                                                 "USE TEMP"))})
                            plans.append(f"  {' '.join(statement.split())[:110]}…\n" +
                                         "\n".join(f"      {step}" for step in steps))
                        conn.execute(text("SELECT 1"))
                    outputs.append("office1's worklist statements and the index steps of their plans:\n" +
                                   "\n".join(plans))
        finally:
            dispose(app)
    return "\n\n".join(outputs)


def _original_views(app) -> dict:
    views = {}
    for key in ("inbox.task", "proposals.new", "inbox.index"):
        view = app.view_functions[key]
        views[key] = getattr(view, "__wrapped__", view)
    return views


def _cprofile(fn, n: int, top: int = 30) -> str:
    profile = cProfile.Profile()
    profile.enable()
    fn()
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return f"cProfile, {n} operations, top {top} by own time (profiling slows Python code ~2×):\n" + "\n".join(
        line for line in out.getvalue().splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--inbox-big", type=int, metavar="OPEN", nargs="?", const=100_000,
                        help="only the inbox page, on the large database of `python -m bench` with OPEN open tasks "
                             "(1000, 10000 or 100000; default 100000), with the worklist's query plans")
    parser.add_argument("--data-dir", type=Path, help="where `python -m bench` keeps the large database")
    args = parser.parse_args(argv)
    if args.inbox_big:
        print(inbox_big(args.n, args.inbox_big, args.cprofile, args.data_dir), flush=True)
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="xieshang-profile-"))
    try:
        print(api_completion(args.n, scratch, args.cprofile), flush=True)
        print(flush=True)
        print(web_paths(args.n, scratch, args.cprofile), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
