"""Runs every measurement in one process tree and builds the table (see bench/__main__.py for the options)."""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from . import api, bigdb, fixtures, raw, server, throughput
from .client import Browser, page_form
from .stats import Row, Sample, Section, Target

PASSWORD = "xieshang"
STATISTICS_YEAR = 2025  # the large database's last year of finished proposals (bench/bigdb.py)


@dataclass
class Config:
    quick: bool = False
    raw_n: int = 500
    n: int = 400  # completions and starts per latency row
    warmup: int = 20
    walks: int = 10
    finished: int = 1_000_000
    tiers: tuple[int, ...] = (1_000, 10_000, 100_000)
    inbox_n: int = 300
    big_n: int = 50  # starts and completions on the large database
    tp_seconds: float = 4.0
    tp_tasks: int = 2_000
    pg: bool = True
    only: str = ""  # "inbox": only the inbox page rows on the large database (no floor, completions or rates)
    data_dir: Path | None = field(default_factory=lambda: fixtures.ROOT / "instance" / "bench")

    @classmethod
    def quick_run(cls) -> "Config":
        return cls(quick=True, raw_n=5, n=5, warmup=2, walks=1, finished=2_000, tiers=(100, 300, 1_000), inbox_n=5,
                   big_n=3, tp_seconds=0.25, tp_tasks=60, data_dir=None)  # the small database: in the scratch dir


def _machine_busy() -> float:
    """CPU seconds all processes spent, from /proc/stat (0 where it does not exist)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def tier_name(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n))


def expected_keys(config: Config) -> list[str]:
    """Every row id the table prints for this configuration (the test checks them)."""
    keys = ["floor.complete", "floor.complete+commit", "floor.start", "floor.start+commit",
            "complete.api", "complete.http", "complete.api.pg", "start.api", "start.http",
            "sql.complete.api", "commits.complete.api", "sql.complete.http", "commits.complete.http",
            "sql.start.api", "commits.start.api", "sql.start.http", "commits.start.http"]
    keys += [f"inbox.{tier_name(t)}" for t in config.tiers] + ["page.holidays", "page.board", "page.register",
                                                                 "page.statistics", "start.api.big", "complete.api.big"]
    keys += [f"rate.{db}.{way}.{k}" for db in ("sqlite", "pg") for way in ("api", "http") for k in (1, 2)]
    keys += [f"size.{step}" for step in ["start", *(s for _w, s, _d in api.PATH)]]
    return keys


class Bench:
    def __init__(self, config: Config, log=print):
        self.config, self.log = config, log
        self.scratch = Path(tempfile.mkdtemp(prefix="xieshang-bench-"))
        self.rows: dict[str, Row] = {}
        self.floor: dict[str, Sample] = {}
        self.floor_of: dict[str, str | None] = {}
        self.probe: raw.Probe | None = None
        self.extra: dict[str, object] = {}
        self.t0 = time.perf_counter()

    # --- helpers -------------------------------------------------------------------------------------------
    def row(self, key: str, label: str, sample: Sample | None = None, floor: str | None = None, note: str = "",
            skipped: str = "") -> None:
        self.rows[key] = Row(key, label, sample, None, note, skipped)
        self.floor_of[key] = floor

    def copy(self, name: str) -> fixtures.Database:
        return fixtures.sqlite_copy(self.scratch / "template.db", self.scratch / f"{name}.db")

    def step(self, what: str):
        self.log(f"· {time.perf_counter() - self.t0:5.1f} s  {what}")

    # --- the measurements ----------------------------------------------------------------------------------
    def run(self) -> None:
        t0 = time.perf_counter()
        busy0, own0 = _machine_busy(), _own_cpu()
        import web  # noqa: F401 - load Flask and the app's modules once, before the server processes fork

        fixtures.build(f"sqlite:///{self.scratch / 'template.db'}").dispose()
        try:
            if self.config.only == "inbox":
                self.measure_inbox()
            else:
                self.measure_floor()
                self.measure_api()
                self.measure_http()
                self.measure_walk()
                self.measure_inbox()
                self.measure_rates_sqlite()
                self.measure_pg()
                self.floor_rows()
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
        self.extra["seconds"] = time.perf_counter() - t0
        busy, own = _machine_busy() - busy0, _own_cpu() - own0
        self.extra["others"] = max(0.0, busy - own) / (self.extra["seconds"] * (os.cpu_count() or 1))

    def measure_floor(self) -> None:
        self.step("floor: raw SpiffWorkflow")
        from engine.definitions import deploy as definitions, forms
        from engine.runtime import state as engine_state

        database = self.copy("floor")
        instance_id = fixtures.start_one(database)
        with database.session() as session:
            from engine.models import Instance

            saved = session.scalar(select(Instance.state).where(Instance.id == instance_id))
            version = definitions.latest_version(session, "proposal")
            # the product saves the state without the parsed diagram; plain SpiffWorkflow saves it with it
            state = raw.SERIALIZER.serialize_json(engine_state.load(saved, definitions.specs(session, version)))
            review = forms.validate(version.forms["forms/proposal/review.json"], fixtures.REVIEW)
            submit = forms.validate(version.forms["forms/proposal/submit.json"], fixtures.SUBMIT)
        database.dispose()
        submit.update(number="2026-001", proposer="member1", proposer_name="张明（委员）", started_by="member1")
        spec_pair = raw.parse(fixtures.PROCESSES / "proposal.bpmn")
        self.probe = raw.Probe(state, review, spec_pair, submit, self.scratch)
        for _ in range(max(1, self.config.raw_n // 2)):
            self.probe.round()
        self.extra["state_kb"] = len(state.encode()) / 1024
        self.extra["saved_kb"] = len(saved.encode()) / 1024

    def between(self) -> None:
        """One more round of the floor between two of the product's operations."""
        if self.probe is not None:
            self.probe.round()

    def floor_rows(self) -> None:
        samples = self.probe.result()
        self.probe.close()
        self.floor = {"complete": samples["complete"], "complete+commit": samples["complete_commit"],
                      "start": samples["start"], "start+commit": samples["start_commit"]}
        where = "sampled before and between the product's operations"
        self.row("floor.complete", "raw: load + complete 审查立案 + engine steps + dump", samples["complete"],
                 "complete+commit", f"state {self.extra['state_kb']:.0f} KB at that step (xieshang saves "
                 f"{self.extra['saved_kb']:.0f} KB: no parsed diagram); {where}")
        self.row("floor.complete+commit", "raw + UPDATE state row + COMMIT (the floor)", samples["complete_commit"],
                 "complete+commit", "sqlite3, WAL, synchronous=NORMAL")
        self.row("floor.start", "raw: new workflow + start data + engine steps + dump", samples["start"],
                 "start+commit", "parsed spec cached")
        self.row("floor.start+commit", "raw start + INSERT state row + COMMIT (the floor)", samples["start_commit"],
                 "start+commit")

    def measure_api(self) -> None:
        c = self.config
        self.step("engine API: complete_task, start_instance")
        database = self.copy("api")
        tasks = fixtures.review_tasks(database, c.n + c.warmup)
        api.complete(database, tasks[:c.warmup])
        done = api.complete(database, tasks[c.warmup:], between=self.between)
        api.start(database, c.warmup)
        started = api.start(database, c.n, between=self.between)
        database.dispose()
        self.extra["api"] = {"complete": done, "start": started}
        self.row("complete.api", "engine API: complete_task + commit (SQLite)", done["time"], "complete+commit",
                 "one session, one transaction (db.writing)")
        self.row("start.api", "engine API: start_instance + commit (SQLite)", started["time"], "start+commit",
                 f"{c.n + c.warmup + 1}…{2 * (c.n + c.warmup)} instances in the table")
        self.row("sql.complete.api", "SQL statements per completion, engine API", done["statements"],
                 note="BEGIN IMMEDIATE counted")
        self.row("commits.complete.api", "commits per completion, engine API", done["commits"])
        self.row("sql.start.api", "SQL statements per start, engine API", started["statements"])
        self.row("commits.start.api", "commits per start, engine API", started["commits"])

    def login(self, port: int, username: str) -> Browser:
        browser = Browser(port)
        browser.login(username, PASSWORD)
        return browser

    def measure_http(self) -> None:
        c = self.config
        self.step("HTTP: POST /tasks/<id>, POST /proposals/new through waitress")
        database = self.copy("http")
        tasks = fixtures.review_tasks(database, c.n + c.warmup)
        database.dispose()
        srv = server.start(database.url)
        try:
            committee = self.login(srv.port, "tiwei")
            body = page_form(committee.get(f"/tasks/{tasks[0]}").body).filled(
                {"decision": "立案", "is_key": "true", "lead_leader": "lingdao", "oversight_leader": "zhuxi"})
            committee.keep_cookies = False  # the flash message would pile up in the cookie: no redirect is followed
            done = self._posts(committee, [f"/tasks/{t}" for t in tasks], body)
            member = self.login(srv.port, "member1")
            body = page_form(member.get("/proposals/new").body).filled(dict(fixtures.SUBMIT))
            member.keep_cookies = False
            started = self._posts(member, ["/proposals/new"] * (c.n + c.warmup), body)
        finally:
            srv.stop()
        self.extra["http"] = {"complete": done, "start": started}
        self.row("complete.http", "HTTP: POST /tasks/<id> → 302 (SQLite)", done["time"], "complete+commit",
                 f"in the app {done['app'].median:.2f} ms; waitress+socket+client {done['outside']:.2f} ms")
        self.row("start.http", "HTTP: POST /proposals/new → 302 (SQLite)", started["time"], "start+commit",
                 f"in the app {started['app'].median:.2f} ms; waitress+socket+client {started['outside']:.2f} ms")
        self.row("sql.complete.http", "SQL statements per completion, HTTP request", done["statements"],
                 note="incl. loading the user (2) and the task page's checks")
        self.row("commits.complete.http", "commits per completion, HTTP request", done["commits"])
        self.row("sql.start.http", "SQL statements per start, HTTP request", started["statements"])
        self.row("commits.start.http", "commits per start, HTTP request", started["commits"])

    def _posts(self, browser: Browser, paths: list[str], body) -> dict:
        times, app, statements, commits = [], [], [], []
        for i, path in enumerate(paths):
            response = browser.request("POST", path, body)
            if response.status != 302:
                raise RuntimeError(f"POST {path}: HTTP {response.status}\n{response.body[:3000].decode()}")
            if i < self.config.warmup:
                continue
            times.append(response.ms)
            app.append(response.server("Ms"))
            statements.append(response.server("Statements"))
            commits.append(response.server("Commits"))
            self.between()
        outside = statistics.median(t - a for t, a in zip(times, app))
        return {"time": Sample(times), "app": Sample(app), "outside": outside,
                "statements": Sample(statements, "count"), "commits": Sample(commits, "count")}

    def measure_walk(self) -> None:
        self.step("state size along the proposal procedure")
        database = self.copy("walk")
        steps = api.walk(database, self.config.walks)
        database.dispose()
        first = statistics.median(steps[0]["size"])
        for record in steps:
            step = record["step"]
            who = "member1" if step == "start" else next(w for w, s, _d in api.PATH if s == step)
            size = Sample(record["size"], "KB")
            self.rows[f"size.{step}"] = Row(
                f"size.{step}", f"state after {api.STEP_NAMES[step]} ({step}, {who})", size, first,
                f"that step: {statistics.median(record['time']):.2f} ms, "
                f"{statistics.median(record['statements']):g} statements, "
                f"{statistics.median(record['commits']):g} commit (engine API)")

    def measure_inbox(self) -> None:
        c = self.config
        self.step(f"inbox: generating/reusing {tier_name(c.finished)} finished + {tier_name(max(c.tiers))} open")
        directory = c.data_dir or self.scratch
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one run at a time uses (and may regenerate) the large database
            self._inbox(directory)

    def _inbox(self, directory: Path) -> None:
        c = self.config
        path, reused = bigdb.ensure(directory, c.finished, max(c.tiers), log=self.log)
        self.extra["bigdb"] = (path, reused)
        url = f"sqlite:///{path}"
        from engine import db as engine_db
        from engine.models import Instance

        big = fixtures.Database(url, engine_db.make_engine(url))
        with big.session() as session:
            before = session.scalar(select(func.max(Instance.id)))
        big.dispose()
        srv = server.start(url)
        try:
            office, clerk = self.login(srv.port, "office1"), self.login(srv.port, "czj_clerk")
            for tier in c.tiers:
                hers = bigdb.set_open_tasks(path, tier)
                got = self._pages(office, c.inbox_n)
                theirs = self._pages(clerk, max(3, c.inbox_n // 5), budget=8.0)
                self.row(f"inbox.{tier_name(tier)}",
                         f"GET /inbox, office1, {tier_name(tier)} open tasks + {tier_name(c.finished)} finished",
                         got["time"],
                         note=f"{hers} in her lane, {got['rows']} rows on the page; in the app {got['app']:.2f} ms, "
                              f"{got['statements']:g} statements; czj_clerk's page {theirs['time'].median:.2f} ms"
                              + (f"; stopped after {got['time'].n} requests (time budget)" if got["cut"] else ""))
            got = self._pages(office, c.inbox_n, path="/holidays")
            self.row("page.holidays", "GET /holidays (节假日安排), office1, on the same database", got["time"],
                     note=f"in the app {got['app']:.2f} ms, {got['statements']:g} statements")
            got = self._pages(office, c.inbox_n, path="/board")
            self.row("page.board", "GET /board (年度看板, 35 obligations), office1, on the same database", got["time"],
                     note=f"in the app {got['app']:.2f} ms, {got['statements']:g} statements")
            got = self._pages(office, c.inbox_n, path="/proposals/register?year=2025")
            self.row("page.register", f"GET /proposals/register (提案管理), office1, 2025: "
                     f"{tier_name(c.finished // 10)} of the {tier_name(c.finished)} finished", got["time"],
                     note=f"first page of 50, by number; in the app {got['app']:.2f} ms, "
                          f"{got['statements']:g} statements"
                          + (f"; stopped after {got['time'].n} requests (time budget)" if got["cut"] else ""))
            got = self._pages(office, c.inbox_n, path=f"/proposals/statistics?year={STATISTICS_YEAR}")
            self.row("page.statistics", f"GET /proposals/statistics (提案统计 {STATISTICS_YEAR}), office1, "
                                        f"same database", got["time"],
                     note=f"≈ {tier_name(c.finished // 10)} proposals that year; in the app {got['app']:.2f} ms, "
                          f"{got['statements']:g} statements" + (f"; stopped after {got['time'].n} requests (time "
                                                                  f"budget)" if got["cut"] else ""))
        finally:
            srv.stop()
        self.step("engine API on the large database")
        big = fixtures.Database(url, engine_db.make_engine(url))
        try:
            started = api.start(big, c.big_n, between=self.between)
            with big.session() as session:
                from engine.models import OpenTask

                tasks = list(session.scalars(select(OpenTask.id).where(
                    OpenTask.instance_id.in_(started["ids"]), OpenTask.bpmn_id == "review")))
            done = api.complete(big, tasks, between=self.between)
            self.row("start.api.big", f"engine API: start_instance + commit, {tier_name(c.finished)} finished",
                     started["time"], "start+commit",
                     f"{statistics.median(started['statements'].values):g} statements")
            self.row("complete.api.big", f"engine API: complete_task + commit, {tier_name(c.finished)} finished",
                     done["time"], "complete+commit", f"{statistics.median(done['statements'].values):g} statements")
        finally:
            with big.session() as session, engine_db.writing():  # leave the file as generated
                fixtures.delete_instances_after(session, before)
                session.commit()
            big.dispose()

    def _pages(self, browser: Browser, n: int, budget: float = 20.0, path: str = "/inbox") -> dict:
        """GET `path` `n` times after a warm-up, or fewer when the page is so slow that `budget` seconds pass."""
        times, app, statements, deadline, body = [], [], [], None, b""
        for i in range(n + self.config.warmup):
            response = browser.get(path)
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status}\n{response.body[:3000].decode()}")
            if i < self.config.warmup:
                continue
            deadline = deadline or time.perf_counter() + budget
            times.append(response.ms)
            app.append(response.server("Ms"))
            statements.append(response.server("Statements"))
            body = response.body
            if time.perf_counter() > deadline and len(times) >= 20:
                break
        return {"time": Sample(times), "app": statistics.median(app), "statements": statistics.median(statements),
                "rows": len(set(re.findall(rb"/tasks/([0-9a-f-]{36})", body))), "cut": len(times) < n}

    def _rates(self, backend: str, databases: list[fixtures.Database], tasks: list[list[str]]) -> None:
        c = self.config
        label = {"sqlite": "SQLite", "pg": "PostgreSQL"}[backend]
        for (way, k), database, task_ids in zip([("api", 1), ("api", 2), ("http", 1), ("http", 2)], databases, tasks):
            self.step(f"rate: {label}, {way}, {k} worker process{'es' if k > 1 else ''}")
            database.dispose()
            if way == "api":
                result = throughput.api(database.url, task_ids, k, c.tp_seconds)
                what = f"engine API, {k} worker process{'es' if k > 1 else ''}"
            else:
                servers = [server.start(database.url) for _ in range(k)]
                try:
                    browser = self.login(servers[0].port, "tiwei")
                    body = page_form(browser.get(f"/tasks/{task_ids[0]}").body).filled(
                        {"decision": "立案", "is_key": "true"})
                    result = throughput.http([s.port for s in servers], browser.cookies, body, task_ids,
                                             c.tp_seconds, [s.process.pid for s in servers])
                    browser.close()
                finally:
                    for s in servers:
                        s.stop()
                what = f"HTTP, {k} waitress process{'es' if k > 1 else ''} × {server.THREADS} threads"
            self.extra[f"rate.{backend}.{way}.{k}"] = result
            self.row(f"rate.{backend}.{way}.{k}", f"{label}: {what}", result.sample(), "complete+commit",
                     f"**{result.rate:.0f} completions/s** over {result.seconds:.1f} s; {result.error_text()}; "
                     f"{result.cpu_text(os.cpu_count() or 1)}"
                     + ("; PostgreSQL's own CPU not counted" if backend == "pg" else ""))

    def measure_rates_sqlite(self) -> None:
        c = self.config
        self.step("rate: preparing SQLite databases")
        template = self.copy("rates")
        fixtures.review_tasks(template, c.tp_tasks)
        with template.session() as session:
            from engine.models import OpenTask

            tasks = list(session.scalars(select(OpenTask.id).where(OpenTask.bpmn_id == "review")))
        template.dispose()
        databases = []
        for i in range(4):
            shutil.copy(self.scratch / "rates.db", self.scratch / f"rates{i}.db")
            databases.append(fixtures.open_sqlite(self.scratch / f"rates{i}.db"))
        self._rates("sqlite", databases, [tasks] * 4)

    def measure_pg(self) -> None:
        c = self.config
        why = None if c.pg else "disabled (--no-pg)"
        why = why or fixtures.pg_available()
        if why:
            self.row("complete.api.pg", "engine API: complete_task + commit (PostgreSQL)", skipped=f"skipped: {why}")
            for way in ("api", "http"):
                for k in (1, 2):
                    self.row(f"rate.pg.{way}.{k}", f"PostgreSQL: {way}, {k} worker process(es)",
                             skipped=f"skipped: {why}")
            return
        self.step("PostgreSQL: preparing a schema of its own")
        with fixtures.pg_schema(f"bench_{os.getpid()}") as url:
            database = fixtures.build(url)
            self.extra["pg_version"] = database.engine.connect().exec_driver_sql("show server_version").scalar()
            tasks = fixtures.review_tasks(database, c.n + c.warmup + 4 * c.tp_tasks)
            api.complete(database, tasks[:c.warmup])
            done = api.complete(database, tasks[c.warmup:c.warmup + c.n], between=self.between)
            self.row("complete.api.pg", "engine API: complete_task + commit (PostgreSQL)", done["time"],
                     "complete+commit", f"{statistics.median(done['statements'].values):g} statements, "
                                        f"{statistics.median(done['commits'].values):g} commit")
            rest = tasks[c.warmup + c.n:]
            groups = [rest[i * c.tp_tasks:(i + 1) * c.tp_tasks] for i in range(4)]
            database.dispose()
            self._rates("pg", [database] * 4, groups)
            database.dispose()

    # --- the table -----------------------------------------------------------------------------------------
    def header(self) -> list[str]:
        import SpiffWorkflow
        import sqlalchemy

        cpu = platform.processor() or ""
        try:
            cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                       if line.startswith("model name"))
        except (OSError, StopIteration):
            pass
        try:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=fixtures.ROOT, capture_output=True,
                                    text=True, timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = "?"
        path, reused = self.extra.get("bigdb", (None, False))
        c = self.config
        return [
            f"xieshang benchmark ({'quick' if c.quick else 'full'} run) — {dt.datetime.now():%Y-%m-%d %H:%M}, "
            f"commit {commit}, {self.extra.get('seconds', 0):.0f} s",
            f"{os.cpu_count()} × {cpu}; Python {platform.python_version()}; SpiffWorkflow "
            f"{getattr(SpiffWorkflow, '__version__', '3.2.0')}; SQLAlchemy {sqlalchemy.__version__}; "
            f"SQLite {sqlite3.sqlite_version}; PostgreSQL {self.extra.get('pg_version', '—')}",
            "Times are wall-clock per operation; × floor = median / median of the raw floor of the same kind "
            "(completion or start) measured in this run.",
            f"Large database: {path.name if path else '—'} ({'reused' if reused else 'generated this run'}). "
            f"Other processes used {self.extra.get('others', 0) * 100:.0f}% of the machine's CPU during the run"
            + (" — figures are disturbed, run again on a quiet machine." if self.extra.get("others", 0) > 0.1
               else "."),
        ]

    def sections(self) -> list[Section]:
        c = self.config
        groups = [
            ("floor — SpiffWorkflow alone on processes/proposal.bpmn",
             ["floor.complete", "floor.complete+commit", "floor.start", "floor.start+commit"]),
            ("completing 审查立案 (one transaction, one commit)", ["complete.api", "complete.http", "complete.api.pg"]),
            ("starting 提案办理", ["start.api", "start.http"]),
            ("SQL per request (SQLAlchemy before_cursor_execute / commit events)",
             ["sql.complete.api", "commits.complete.api", "sql.complete.http", "commits.complete.http",
              "sql.start.api", "commits.start.api", "sql.start.http", "commits.start.http"]),
            ("inbox page and a large database",
             [f"inbox.{tier_name(t)}" for t in c.tiers] + ["page.holidays", "page.board", "page.register",
                                                          "page.statistics", "start.api.big", "complete.api.big"]),
            ("completions per second (median/p95 = one completion under that load; the load generator and the "
             "database share the same cores)",
             [f"rate.{db}.{way}.{k}" for db in ("sqlite", "pg") for way in ("api", "http") for k in (1, 2)]),
            ("serialized workflow state after each step (engine API walk; × floor = growth since the start)",
             [f"size.{step}" for step in ["start", *(s for _w, s, _d in api.PATH)]]),
        ]
        for key, row in self.rows.items():
            floor = self.floor_of.get(key)
            if floor and floor in self.floor and row.floor is None:
                row.floor = self.floor[floor].median
        return [Section(title, [self.rows[k] for k in keys if k in self.rows]) for title, keys in groups]

    def targets(self) -> list[Target]:
        out = []
        floor_c, floor_s = self.floor.get("complete+commit"), self.floor.get("start+commit")
        raw_c, raw_s = self.floor.get("complete"), self.floor.get("start")
        http_c, http_s = self.rows.get("complete.http"), self.rows.get("start.http")
        if http_c and http_c.sample and floor_c:
            m = http_c.sample.median
            out.append(Target("completion through HTTP ≤ 3× the raw cycle", m <= 3 * floor_c.median,
                              f"{m:.2f} ms = {m / floor_c.median:.1f}× the floor ({floor_c.median:.2f} ms), "
                              f"{m / raw_c.median:.1f}× the raw cycle without commit"))
        if http_s and http_s.sample and floor_s:
            m = http_s.sample.median
            out.append(Target("start through HTTP ≤ 3× raw start", m <= 3 * floor_s.median,
                              f"{m:.2f} ms = {m / floor_s.median:.1f}× the floor ({floor_s.median:.2f} ms), "
                              f"{m / raw_s.median:.1f}× the raw start without commit"))
        sql_h, com_h = self.rows.get("sql.complete.http"), self.rows.get("commits.complete.http")
        sql_a = self.rows.get("sql.complete.api")
        if sql_h and sql_h.sample and com_h and com_h.sample:
            worst, commits = max(sql_h.sample.values), {int(v) for v in com_h.sample.values}
            out.append(Target("≤ 8 SQL statements and exactly 1 commit per completion",
                              worst <= 8 and commits == {1},
                              f"HTTP request: {worst:g} statements (max), commits {sorted(commits)}; "
                              f"engine API alone: {max(sql_a.sample.values):g} statements"))
        big = self.rows.get(f"inbox.{tier_name(max(self.config.tiers))}")
        if big and big.sample:
            out.append(Target(f"inbox p95 ≤ 10 ms at {tier_name(max(self.config.tiers))} open tasks",
                              big.sample.p95 <= 10, f"p95 {big.sample.p95:.1f} ms (median {big.sample.median:.1f} ms)"))
        rates = {k: self.extra[k] for k in ("rate.sqlite.http.1", "rate.sqlite.http.2") if k in self.extra}
        if rates:
            best_key = max(rates, key=lambda k: rates[k].rate)
            best = rates[best_key]
            out.append(Target("≥ 300 completions/s end to end with SQLite", best.rate >= 300,
                              f"best {best.rate:.0f}/s with {best_key[-1]} waitress process(es) "
                              f"({', '.join(f'{k[-1]}: {v.rate:.0f}/s' for k, v in rates.items())}); "
                              f"engine API alone: " + ", ".join(
                                  f"{k}: {self.extra[f'rate.sqlite.api.{k}'].rate:.0f}/s" for k in (1, 2)
                                  if f"rate.sqlite.api.{k}" in self.extra)))
        return out


def main(config: Config, markdown: Path | None = None, log=None) -> str:
    from .stats import render_markdown, render_text

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    bench = Bench(config, log)
    bench.run()
    header, sections, targets = bench.header(), bench.sections(), bench.targets()
    table = render_text(header, sections, targets)
    if markdown:
        markdown.write_text(render_markdown(header, sections, targets) + "\n", encoding="utf-8")
    return table
