"""What the recommended changes to engine/ and web/ would buy: `python -m bench.whatif [--quick]`.

Each change is prototyped here by patching the running server process (never the files under engine/ or web/)
and measured against the code as it is, in the same run, on the same data:

- lean state: save the workflow without its spec (≈30 KB of every saved state is the parsed diagram, deserialized
  again on every load); the version's parsed spec, already cached per process by definitions.specs, is reattached.
- cached user: keep the logged-in user (roles, unit) per process for 30 s instead of two SELECTs per request.
- cached locale: hand Flask-Babel a parsed babel.Locale (Locale.parse scans the locale list on every request).
- write queue: writers of one database queue on a process lock plus an flock before BEGIN IMMEDIATE, instead of
  SQLite's busy handler, which sleeps 1…100 ms between retries while the lock is held.
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
def lean_state(app=None) -> None:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    from engine import state

    specs: dict[str, tuple] = {}  # one process version per diagram in these databases: the name identifies it

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
                workflow = super().from_dict(dct)
                specs.setdefault(workflow.spec.name, (workflow.spec, workflow.subprocess_specs))
                return workflow
            from uuid import UUID

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
    state.SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


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

    def database(self, tasks: int) -> tuple[str, list[str]]:
        name = f"db{len(list(self.scratch.glob('db*.db')))}.db"
        if not (self.scratch / "template.db").exists():
            fixtures.build(f"sqlite:///{self.scratch / 'template.db'}").dispose()
        database = fixtures.sqlite_copy(self.scratch / "template.db", self.scratch / name)
        ids = fixtures.review_tasks(database, tasks)
        database.dispose()
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
        lean_state()
        lean = engine_state.SERIALIZER
        engine_state.SERIALIZER = full
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
        changes = [("as the code is", None), ("lean state only", lean_state), ("cached user only", cached_user),
                   ("cached locale only", cached_locale), ("all changes", everything)]
        self.out("HTTP POST /tasks/<id> (审查立案) and POST /proposals/new, SQLite, one at a time (median / p95 ms):")
        base = None
        for label, setup in changes:
            url, tasks = self.database(self.n + 20)
            srv = server.start(url, setup=setup)
            try:
                complete = self._post_all(srv.port, "tiwei", [f"/tasks/{t}" for t in tasks],
                                          {"decision": "立案", "is_key": "true"}, f"/tasks/{tasks[0]}")
                start = self._post_all(srv.port, "member1", ["/proposals/new"] * (self.n + 20),
                                       dict(fixtures.SUBMIT), "/proposals/new")
            finally:
                srv.stop()
            base = base or (complete.median, start.median)
            self.out(f"  {label:16s} completion {complete.median:6.2f} / {complete.p95:6.2f}"
                     f"  ({complete.median - base[0]:+.2f})   start {start.median:6.2f} / {start.p95:6.2f}"
                     f"  ({start.median - base[1]:+.2f})")

    def _post_all(self, port: int, username: str, paths: list[str], answers: dict, form_page: str) -> Sample:
        browser = Browser(port)
        browser.login(username, PASSWORD)
        body = page_form(browser.get(form_page).body).filled(answers)
        browser.keep_cookies = False
        times = []
        for i, path in enumerate(paths):
            response = browser.request("POST", path, body)
            if response.status != 302:
                raise RuntimeError(f"POST {path}: HTTP {response.status}")
            if i >= 20:
                times.append(response.ms)
        browser.close()
        return Sample(times)

    def http_rates(self) -> None:
        self.out("completions per second through HTTP, SQLite, 2 clients × 4 connections "
                 "(rate; latency median / p95 ms):")
        tasks_needed = 60 if self.quick else 2500
        for processes in (1, 2):
            for label, setup in (("as the code is", None), ("write queue only", write_queue),
                                 ("all changes", everything)):
                url, tasks = self.database(tasks_needed)
                servers = [server.start(url, setup=setup) for _ in range(processes)]
                try:
                    browser = Browser(servers[0].port)
                    browser.login("tiwei", PASSWORD)
                    body = page_form(browser.get(f"/tasks/{tasks[0]}").body).filled(
                        {"decision": "立案", "is_key": "true"})
                    result = throughput.http([s.port for s in servers], browser.cookies, body, tasks, self.seconds)
                finally:
                    for s in servers:
                        s.stop()
                latency = result.sample()
                self.out(f"  {processes} process{'es' if processes > 1 else '  '} {label:17s} {result.rate:5.0f}/s"
                         f"   {latency.median:7.2f} / {latency.p95:7.2f}   {result.error_text()}")

    def inbox(self, data_dir: Path) -> None:
        finished, open_max = (2_000, 1_000) if self.quick else (1_000_000, 100_000)
        data_dir.mkdir(parents=True, exist_ok=True)
        with open(data_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path, _reused = bigdb.ensure(data_dir, finished, open_max, log=self.log)
            bigdb.set_open_tasks(path, open_max)
            url = f"sqlite:///{path}"
            self.out(f"GET /inbox with {open_max} open tasks and {finished} finished instances (median / p95 ms):")
            try:
                for label, setup, indexes in (("as the code is", None, False), ("O(1) due badge", fast_due, False),
                                              ("O(1) due badge + indexes", fast_due, True)):
                    if indexes:
                        with sqlite3.connect(path) as conn:
                            for ddl in INDEXES:
                                conn.execute(ddl)
                    srv = server.start(url, setup=setup)
                    try:
                        cells = []
                        for who in ("office1", "czj_clerk"):
                            browser = Browser(srv.port)
                            browser.login(who, PASSWORD)
                            times, app = [], []
                            deadline = time.perf_counter() + (2 if self.quick else 20)
                            for i in range(self.n // 3 + 5):
                                response = browser.get("/inbox")
                                assert response.status == 200, response.status
                                if i >= 5:
                                    times.append(response.ms)
                                    app.append(response.server("Ms"))
                                if time.perf_counter() > deadline and len(times) >= 10:
                                    break
                            s = Sample(times)
                            cells.append(f"{who} {s.median:7.2f} / {s.p95:7.2f}")
                    finally:
                        srv.stop()
                    self.out(f"  {label:26s} " + "   ".join(cells))
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
    WhatIf(args.quick).run(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
