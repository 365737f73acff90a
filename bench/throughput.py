"""Completions per second, sustained: every worker starts together and completes 审查立案 tasks for a fixed time.

- engine API: k worker processes, each its own engine and sessions, one transaction per completion (as the web
  should do it: inside engine.db.writing(), so on SQLite the transaction takes the write lock at BEGIN).
- HTTP: k waitress processes (4 threads each, as `xieshang serve`), each on its own port like the upstreams of a
  reverse proxy; the load comes from 2 client processes × 4 keep-alive connections (connection j goes to server
  j mod k), all logged in as the committee member, posting the review form one after another.
Every worker completes its own tasks (no two touch the same proposal). A refused completion (HTTP 409 or 500, a
Conflict) leaves the task open and is counted as an error, not retried.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import time
from dataclasses import dataclass, field

from .stats import Sample

CLIENT_PROCESSES = 2
CONNECTIONS_PER_CLIENT = 4


def cpu_seconds() -> float:
    """CPU time of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU time of another process (Linux /proc), 0 if it cannot be read."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass
class Result:
    ok: int
    errors: dict[str, int]
    seconds: float
    latencies: list[float]
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by side: "app" (workers/servers), "client"

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def sample(self) -> Sample:
        return Sample(self.latencies)

    def error_text(self) -> str:
        return ", ".join(f"{n}× {k}" for k, n in sorted(self.errors.items())) or "no errors"

    def cpu_text(self, cores: int) -> str:
        """CPU per completion and the rate that CPU alone would allow on idle cores (load-independent)."""
        if not self.ok or not self.cpu:
            return ""
        per = {k: v * 1000 / self.ok for k, v in self.cpu.items()}
        total = sum(per.values())
        parts = " + ".join(f"{v:.1f} ms {k}" for k, v in per.items())
        return f"CPU per completion {parts} → ≤ {cores * 1000 / total:.0f}/s on {cores} idle cores"


def _merge(parts: list[tuple], cpu_key: str) -> Result:
    starts, ends, ok, errors, lat, cpu = [], [], 0, {}, [], 0.0
    for start, end, n_ok, errs, latencies, used in parts:
        starts.append(start)
        ends.append(end)
        ok += n_ok
        for k, v in errs.items():
            errors[k] = errors.get(k, 0) + v
        lat.extend(latencies)
        cpu += used
    return Result(ok, errors, max(ends) - min(starts), lat, {cpu_key: cpu})


def _api_worker(url: str, task_ids: list[str], seconds: float, barrier, queue) -> None:
    from engine import db as engine_db
    from engine.runtime import verbs as runtime
    from engine.errors import XieshangError

    from . import fixtures

    database = fixtures.Database(url, engine_db.make_engine(url))
    with database.session() as session:
        actor = fixtures.user(session, "tiwei")
    with database.session() as session:  # open a pooled connection before the clock starts
        session.connection()
    ok, errors, latencies = 0, {}, []
    barrier.wait()
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    stop = start + seconds
    for task_id in task_ids:
        t0 = time.perf_counter()
        if t0 >= stop:
            break
        try:
            with database.session() as session, engine_db.writing():
                runtime.complete_task(session, actor, task_id, fixtures.REVIEW)
                session.commit()
            ok += 1
        except XieshangError as err:
            errors[type(err).__name__] = errors.get(type(err).__name__, 0) + 1
        except Exception as err:  # noqa: BLE001 - counted, the worker goes on
            errors[type(err).__name__] = errors.get(type(err).__name__, 0) + 1
        latencies.append((time.perf_counter() - t0) * 1000)
    queue.put((start, time.perf_counter(), ok, errors, latencies, cpu_seconds() - cpu0))
    database.dispose()


def api(url: str, task_ids: list[str], workers: int, seconds: float) -> Result:
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_api_worker, args=(url, task_ids[i::workers], seconds, barrier, queue))
             for i in range(workers)]
    for p in procs:
        p.start()
    parts = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(30)
    return _merge(parts, "app")


def _client(ports: list[int], first_connection: int, cookies: dict, body_template: list, chunks: list[list[str]],
            seconds: float, barrier, queue) -> None:
    from .client import Browser

    results = []

    def run(index: int, tasks: list[str]) -> None:
        browser = Browser(ports[(first_connection + index) % len(ports)])
        browser.cookies, browser.keep_cookies = dict(cookies), False
        browser.get("/login")  # open the keep-alive connection before the clock starts
        ok, errors, latencies = 0, {}, []
        start_gate.wait()
        start = time.perf_counter()
        stop = start + seconds
        for task_id in tasks:
            if time.perf_counter() >= stop:
                break
            response = browser.request("POST", f"/tasks/{task_id}", body_template)
            if response.status == 302:
                ok += 1
            else:
                errors[f"HTTP {response.status}"] = errors.get(f"HTTP {response.status}", 0) + 1
            latencies.append(response.ms)
        results.append((start, time.perf_counter(), ok, errors, latencies, 0.0))
        browser.close()

    start_gate = threading.Barrier(len(chunks) + 1)
    threads = [threading.Thread(target=run, args=(i, chunk)) for i, chunk in enumerate(chunks)]
    for t in threads:
        t.start()
    barrier.wait()
    cpu0 = cpu_seconds()
    start_gate.wait()
    for t in threads:
        t.join()
    start, *rest = results[0]
    results[0] = (start, *rest[:-1], cpu_seconds() - cpu0)  # the client process's CPU, counted once
    queue.put(results)


def http(ports: list[int], cookies: dict, body: list, task_ids: list[str], seconds: float,
         server_pids: list[int] = ()) -> Result:
    ctx = multiprocessing.get_context("fork")
    connections = CLIENT_PROCESSES * CONNECTIONS_PER_CLIENT
    chunks = [task_ids[i::connections] for i in range(connections)]
    barrier, queue = ctx.Barrier(CLIENT_PROCESSES), ctx.Queue()
    procs = []
    for c in range(CLIENT_PROCESSES):
        mine = chunks[c * CONNECTIONS_PER_CLIENT:(c + 1) * CONNECTIONS_PER_CLIENT]
        procs.append(ctx.Process(target=_client, args=(ports, c * CONNECTIONS_PER_CLIENT, cookies, body, mine,
                                                       seconds, barrier, queue)))
    before = sum(process_cpu(pid) for pid in server_pids)
    for p in procs:
        p.start()
    parts = [part for _ in procs for part in queue.get(timeout=seconds + 120)]
    server_cpu = sum(process_cpu(pid) for pid in server_pids) - before
    for p in procs:
        p.join(30)
    result = _merge(parts, "client")
    if server_pids:
        result.cpu = {"app": server_cpu, **result.cpu}
    return result
