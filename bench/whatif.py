"""What the recommended changes to engine/ and web/ would buy: `python -m bench.whatif [--quick]`.

Each change is prototyped here by patching the running server process (never the files under engine/ or web/)
and measured against the code as it is, in the same run, on the same data:

- lean state: save the workflow without its spec (≈30 KB of every saved state is the parsed diagram, deserialized
  again on every load); the version's parsed spec, already cached per process by definitions.specs, is reattached.
- cached user: keep the logged-in user (roles, unit) per process for 30 s instead of two SELECTs per request.
- cached locale: hand Flask-Babel a parsed babel.Locale (Locale.parse scans the locale list on every request).
- write queue: writers of one database queue on a process lock plus an flock before BEGIN IMMEDIATE, instead of
  SQLite's busy handler, which sleeps 1…100 ms between retries while the lock is held.
- short write lock: a completion reads and computes in a read transaction and takes the write lock only for its
  writes (today a POST holds SQLite's single write lock from its first SELECT to its commit).
- O(1) due badge: working days left from a cumulative table instead of one chinese_calendar lookup per day.
- inbox indexes: (role_key, due_at IS NULL, due_at, created_at, id) and (candidate_unit, …) for the worklist order.
"""
from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import event, select
from SpiffWorkflow.bpmn.specs.mixins import UserTaskMixin
from SpiffWorkflow.util.task import TaskState

from . import bigdb, fixtures, server, throughput
from .client import Browser, page_form
from .stats import Sample

PASSWORD = "xieshang"


# --- the changes, as patches applied in the server process ------------------------------------------------------
def lean_serializer(specs: dict):
    """A serializer that writes the spec's name instead of the spec, and reattaches `specs[name]` on load."""
    from uuid import UUID

    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    class SpecByReference(BpmnWorkflowConverter):
        def to_dict(self, workflow):
            specs.setdefault(workflow.spec.name, (workflow.spec, workflow.subprocess_specs))
            dct = WorkflowConverter.to_dict(self, workflow)
            dct["spec_ref"] = workflow.spec.name
            dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
            dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
            return dct

        def from_dict(self, dct):
            if "spec" in dct:  # saved before the change
                return super().from_dict(dct)
            spec, subprocess_specs = specs[dct.pop("spec_ref")]
            workflow = self.target_class(spec, subprocess_specs, deserializing=True)
            workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
            workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
            self.set_default_attributes(workflow, dct)
            self.subprocesses_from_dict(dct["subprocesses"], workflow)
            workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
            return workflow

    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecByReference
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def _parsed_specs(url: str) -> dict:
    """Every deployed diagram's parsed spec by process id, from the engine's own spec cache (one version each
    in these databases; the engine would key them by version)."""
    from engine import db as engine_db, definitions

    engine = engine_db.make_engine(url)
    try:
        with engine_db.make_sessionmaker(engine)() as session:
            return {spec.name: (spec, subs) for spec, subs in
                    (definitions.specs(session, v) for v in definitions.latest_versions(session))}
    finally:
        engine.dispose()


def lean_state(app=None) -> None:
    from engine import state
    from web.db import EXTENSION

    url = app.extensions[EXTENSION]["engine"].url.render_as_string(hide_password=False) if app else None
    state.SERIALIZER = lean_serializer(_parsed_specs(url) if url else {})


def make_lean(url: str) -> None:
    """Rewrite every saved state of a database without its spec (what the saved rows look like after the change)."""
    from sqlalchemy import update

    from engine import db as engine_db, state
    from engine.models import Instance

    lean = lean_serializer(_parsed_specs(url))
    engine = engine_db.make_engine(url)
    try:
        with engine_db.make_sessionmaker(engine)() as session, engine_db.writing():
            rows = session.execute(select(Instance.id, Instance.state).where(Instance.state != "")).all()
            for instance_id, text in rows:
                session.execute(update(Instance).where(Instance.id == instance_id)
                                .values(state=lean.serialize_json(state.SERIALIZER.deserialize_json(text))))
            session.commit()
    finally:
        engine.dispose()


def cached_user(app) -> None:
    from web.db import get_session
    from web.users import WebUser

    manager = app.login_manager
    original, cache = manager._user_callback, {}

    def load(user_id: str):
        hit = cache.get(user_id)
        if hit is not None and time.monotonic() < hit[1]:
            return WebUser(hit[0])
        found = original(user_id)
        if found is not None:
            model = found.model
            model.role_keys  # noqa: B018 - roles and unit loaded before the object leaves the session
            model.unit  # noqa: B018
            get_session().expunge(model)
            cache[user_id] = (model, time.monotonic() + 30)
        return found

    manager._user_callback = load


def cached_locale(app) -> None:
    from babel import Locale

    config = app.extensions["babel"]
    original, parsed = config.locale_selector, {}

    def select_locale():
        code = original()
        if code is None:
            return None
        if code not in parsed:
            parsed[code] = Locale.parse(code)
        return parsed[code]

    config.locale_selector = select_locale


def write_queue(app) -> None:
    from sqlalchemy.orm import Session

    from engine import db as engine_db
    from web.db import EXTENSION

    engine = app.extensions[EXTENSION]["engine"]
    if engine.url.get_backend_name() != "sqlite":
        return
    lock, local = threading.Lock(), threading.local()
    handle = open(f"{engine.url.database}.writer", "a+")  # noqa: SIM115 - held for the life of the process

    def take(_conn):
        if engine_db._write_intent.get() and not getattr(local, "held", False):
            lock.acquire()
            fcntl.flock(handle, fcntl.LOCK_EX)
            local.held = True

    def give(*_args):
        if getattr(local, "held", False):
            local.held = False
            fcntl.flock(handle, fcntl.LOCK_UN)
            lock.release()

    event.listen(engine, "begin", take, insert=True)
    event.listen(Session, "after_commit", give)
    event.listen(Session, "after_rollback", give)
    event.listen(engine, "rollback", give)


def short_write_lock(app) -> None:
    """Completions read and compute in a plain read transaction and take the write lock only for the writes:
    the engine's optimistic lock (instances.lock_version) already refuses a save over someone else's."""
    from flask import g, request

    import web.db as web_db
    from engine import db as engine_db, runtime

    def declare_intent():
        if request.method == "POST" and not request.path.startswith("/tasks/"):
            g.write_intent = engine_db.set_write_intent(True)

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[:] = [declare_intent if f is web_db._declare_intent else f for f in hooks]
    original = runtime._persist

    def persist(session, *args, **kwargs):
        if kwargs.get("kind") == "complete" and not engine_db._write_intent.get():
            session.commit()  # ends the read transaction (nothing is written before _persist)
            g.write_intent = engine_db.set_write_intent(True)
        return original(session, *args, **kwargs)

    runtime._persist = persist


_FIRST = dt.date(2004, 1, 1)


def fast_due(app=None) -> None:
    from engine import clock, workdays

    original = workdays.working_days_left
    span = (dt.date(2036, 1, 1) - _FIRST).days
    cumulative = [0]
    for n in range(span):
        cumulative.append(cumulative[-1] + (1 if workdays.is_workday(_FIRST + dt.timedelta(days=n)) else 0))

    def working_days_left(due, today=None):
        today = today or clock.now().date()
        target = due.astimezone(clock.TZ).date()
        a, b = (today - _FIRST).days, (target - _FIRST).days
        if not (0 <= a < span and 0 <= b < span):
            return original(due, today)
        return cumulative[b + 1] - cumulative[a + 1]

    for days in (-400, -37, -1, 0, 1, 12, 90):  # same answers as the original
        due = dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(12), tzinfo=clock.TZ)
        assert working_days_left(due) == original(due), days
    workdays.working_days_left = working_days_left


def everything(app) -> None:
    lean_state(app)
    cached_user(app)
    cached_locale(app)
    write_queue(app)
    short_write_lock(app)
    fast_due(app)


INDEXES = [
    "CREATE INDEX IF NOT EXISTS whatif_role_due ON open_tasks (role_key, due_at IS NULL, due_at, created_at, id)",
    "CREATE INDEX IF NOT EXISTS whatif_unit_due ON open_tasks "
    "(candidate_unit, due_at IS NULL, due_at, created_at, id)",
]


# --- measurements -----------------------------------------------------------------------------------------------
class WhatIf:
    def __init__(self, quick: bool, log=print):
        self.quick, self.log = quick, log
        self.n = 5 if quick else 300
        self.seconds = 0.25 if quick else 4.0
        self.scratch = Path(tempfile.mkdtemp(prefix="xieshang-whatif-"))
        self.lines: list[str] = []

    def out(self, text: str) -> None:
        self.lines.append(text)
        self.log(text)

    def database(self, tasks: int, lean: bool = False) -> tuple[str, list[str]]:
        name = f"db{len(list(self.scratch.glob('db*.db')))}.db"
        if not (self.scratch / "template.db").exists():
            fixtures.build(f"sqlite:///{self.scratch / 'template.db'}").dispose()
        database = fixtures.sqlite_copy(self.scratch / "template.db", self.scratch / name)
        ids = fixtures.review_tasks(database, tasks)
        database.dispose()
        if lean:
            make_lean(database.url)
        return database.url, ids

    def raw_cycle(self) -> None:
        from engine import definitions, forms
        from engine.models import Instance

        database = fixtures.build(f"sqlite:///{self.scratch / 'raw.db'}")
        instance_id = fixtures.start_one(database)
        with database.session() as session:
            state = session.scalar(select(Instance.state).where(Instance.id == instance_id))
            version = definitions.latest_version(session, "proposal")
            review = forms.validate(version.forms["forms/proposal/review.json"], fixtures.REVIEW)
        database.dispose()
        from engine import state as engine_state

        full = engine_state.SERIALIZER
        lean = lean_serializer({})
        lean_text = lean.serialize_json(full.deserialize_json(state))
        samples = {}
        for name, serializer, text in (("as is", full, state), ("lean", lean, lean_text)):
            times = []
            for i in range(self.n + 10):
                t0 = time.perf_counter()
                workflow = serializer.deserialize_json(text)
                task = workflow.get_tasks(state=TaskState.READY, spec_class=UserTaskMixin)[0]
                task.data.update(review)
                task.run()
                workflow.do_engine_steps()
                serializer.serialize_json(workflow)
                if i >= 10:
                    times.append((time.perf_counter() - t0) * 1000)
            samples[name] = Sample(times)
        self.out(f"raw cycle on the review step, state as saved now vs without the spec: "
                 f"{samples['as is'].median:.2f} → {samples['lean'].median:.2f} ms; saved state "
                 f"{len(state) / 1024:.1f} → {len(lean_text) / 1024:.1f} KB")

    def http_latency(self) -> None:
        """Each change against the code as it is: two servers, each on its own copy of the data, requests
        alternating between them, so that load from elsewhere on the machine hits both alike."""
        changes = [("lean state", lean_state), ("cached user", cached_user), ("cached locale", cached_locale),
                   ("all changes", everything)]
        self.out("HTTP POST /tasks/<id> (审查立案) and POST /proposals/new, SQLite, one request at a time, each change "
                 "paired with the code as it is (median / p95 ms):")
        for label, setup in changes:
            lean = setup in (lean_state, everything)
            pair = []
            try:
                for variant_setup, variant_lean in ((None, False), (setup, lean)):
                    url, tasks = self.database(self.n + 20, lean=variant_lean)
                    srv = server.start(url, setup=variant_setup)
                    pair.append({"server": srv, "tasks": tasks, "complete": [], "start": [],
                                 "committee": self._browser(srv.port, "tiwei", f"/tasks/{tasks[0]}",
                                                            {"decision": "立案", "is_key": "true"}),
                                 "member": self._browser(srv.port, "member1", "/proposals/new",
                                                         dict(fixtures.SUBMIT))})
                for i in range(self.n + 20):
                    for v in pair:
                        for who, path, key in (("committee", f"/tasks/{v['tasks'][i]}", "complete"),
                                               ("member", "/proposals/new", "start")):
                            browser, body = v[who]
                            response = browser.request("POST", path, body)
                            if response.status != 302:
                                raise RuntimeError(f"{label}: POST {path}: HTTP {response.status}")
                            if i >= 20:
                                v[key].append(response.ms)
            finally:
                for v in pair:
                    v["server"].stop()
            (a_c, b_c), (a_s, b_s) = ([Sample(v[k]) for v in pair] for k in ("complete", "start"))
            self.out(f"  {label:13s} completion {a_c.median:6.2f} → {b_c.median:6.2f} ({b_c.median - a_c.median:+.2f}),"
                     f" p95 {a_c.p95:6.2f} → {b_c.p95:6.2f};   start {a_s.median:6.2f} → {b_s.median:6.2f} "
                     f"({b_s.median - a_s.median:+.2f}), p95 {a_s.p95:6.2f} → {b_s.p95:6.2f}")

    def _browser(self, port: int, username: str, form_page: str, answers: dict) -> tuple[Browser, list]:
        browser = Browser(port)
        browser.login(username, PASSWORD)
        body = page_form(browser.get(form_page).body).filled(answers)
        browser.keep_cookies = False
        return browser, body

    def http_rates(self) -> None:
        self.out("completions per second through HTTP, SQLite, 2 clients × 4 connections; each variant run twice "
                 "in the order A B C C B A (rate: mean of the two; latency median / p95 ms):")
        tasks_needed = 60 if self.quick else 2500
        variants = [("as the code is", None), ("write queue only", write_queue),
                    ("short lock + queue", lambda app: (write_queue(app), short_write_lock(app))),
                    ("all changes", everything)]
        for processes in (1, 2):
            results: dict[str, list] = {label: [] for label, _setup in variants}
            for label, setup in variants + variants[::-1]:
                url, tasks = self.database(tasks_needed, lean=setup is everything)
                servers = [server.start(url, setup=setup) for _ in range(processes)]
                try:
                    browser = Browser(servers[0].port)
                    browser.login("tiwei", PASSWORD)
                    body = page_form(browser.get(f"/tasks/{tasks[0]}").body).filled(
                        {"decision": "立案", "is_key": "true"})
                    results[label].append(throughput.http([s.port for s in servers], browser.cookies, body, tasks,
                                                          self.seconds, [s.process.pid for s in servers]))
                finally:
                    for s in servers:
                        s.stop()
            for label, runs in results.items():
                latency = Sample([x for r in runs for x in r.latencies])
                rate = sum(r.rate for r in runs) / len(runs)
                errors = sorted({r.error_text() for r in runs})
                cpu = {k: sum(r.cpu.get(k, 0) for r in runs) for k in ("app", "client")}
                ok = sum(r.ok for r in runs)
                per = f"CPU/completion {cpu['app'] * 1000 / ok:.1f} ms app + {cpu['client'] * 1000 / ok:.1f} ms client" \
                    if ok else ""
                self.out(f"  {processes} process{'es' if processes > 1 else '  '} {label:19s} {rate:5.0f}/s "
                         f"({' and '.join(f'{r.rate:.0f}' for r in runs)})   {latency.median:7.2f} / "
                         f"{latency.p95:7.2f}   {per}   {', '.join(errors)}")

    def inbox(self, data_dir: Path) -> None:
        finished, open_max = (2_000, 1_000) if self.quick else (1_000_000, 100_000)
        data_dir.mkdir(parents=True, exist_ok=True)
        with open(data_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path, _reused = bigdb.ensure(data_dir, finished, open_max, log=self.log)
            bigdb.set_open_tasks(path, open_max)
            url = f"sqlite:///{path}"
            self.out(f"GET /inbox with {open_max} open tasks and {finished} finished instances, the two variants "
                     f"interleaved (median / p95 ms):")
            try:
                for indexes in (False, True):
                    if indexes:
                        with sqlite3.connect(path) as conn:
                            for ddl in INDEXES:
                                conn.execute(ddl)
                    servers = [server.start(url), server.start(url, setup=fast_due)]
                    try:
                        for who in ("office1", "czj_clerk"):
                            browsers = [Browser(srv.port) for srv in servers]
                            for browser in browsers:
                                browser.login(who, PASSWORD)
                            times: list[list[float]] = [[], []]
                            deadline = time.perf_counter() + (2 if self.quick else 40)
                            for i in range(self.n // 3 + 5):
                                for k, browser in enumerate(browsers):
                                    response = browser.get("/inbox")
                                    assert response.status == 200, response.status
                                    if i >= 5:
                                        times[k].append(response.ms)
                                if time.perf_counter() > deadline and len(times[0]) >= 10:
                                    break
                            a, b = Sample(times[0]), Sample(times[1])
                            extra = " + the two indexes" if indexes else ""
                            self.out(f"  {who:10s} as the code is{extra}: {a.median:7.2f} / {a.p95:7.2f}   "
                                     f"O(1) due badge{extra}: {b.median:7.2f} / {b.p95:7.2f}")
                    finally:
                        for srv in servers:
                            srv.stop()
            finally:
                with sqlite3.connect(path) as conn:
                    for ddl in INDEXES:
                        conn.execute("DROP INDEX IF EXISTS " + ddl.split(" EXISTS ")[1].split(" ON ")[0])

    def run(self, data_dir: Path) -> str:
        import web  # noqa: F401 - loaded once before the server processes fork

        try:
            self.raw_cycle()
            self.http_latency()
            self.http_rates()
            self.inbox(data_dir)
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
        return "\n".join(self.lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.whatif", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=fixtures.ROOT / "instance" / "bench")
    args = parser.parse_args(argv)
    data_dir = args.data_dir if not args.quick else Path(tempfile.mkdtemp(prefix="xieshang-whatif-data-"))
    try:
        WhatIf(args.quick).run(data_dir)
    finally:
        if args.quick:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
