"""The floor: SpiffWorkflow alone on processes/proposal.bpmn, with and without one SQLite commit of the state row.

Plain SpiffWorkflow 3.2.0 — its own default script engine, the SPIFF serializer configuration the product uses, the
parsed spec cached (as any product caches it). The commit goes through the stdlib sqlite3 module with the pragmas
the product's engine sets (WAL, synchronous=NORMAL): BEGIN IMMEDIATE; UPDATE/INSERT one row; COMMIT.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins import UserTaskMixin
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from .stats import Sample

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def parse(path: Path):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(path))
    return parser.get_spec("proposal"), parser.get_subprocess_specs("proposal")


def complete_once(serialized: str, data: dict) -> str:
    workflow = SERIALIZER.deserialize_json(serialized)
    task = workflow.get_tasks(state=TaskState.READY, spec_class=UserTaskMixin)[0]
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()
    return SERIALIZER.serialize_json(workflow)


def start_once(spec, subprocess_specs, data: dict) -> str:
    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    workflow.do_engine_steps()
    return SERIALIZER.serialize_json(workflow)


class StateTable:
    """One table of state rows in its own SQLite file, written the way the product's engine would."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        self.conn.execute("INSERT OR REPLACE INTO state (id, body) VALUES (1, '')")

    def update(self, body: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE state SET body = ? WHERE id = 1", (body,))
        self.conn.execute("COMMIT")

    def insert(self, body: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO state (body) VALUES (?)", (body,))
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class Probe:
    """The four floor figures, sampled one round at a time: a round runs before the product's measurements and
    between each of their operations, so that the floor and the product see the same machine (load drifts)."""

    def __init__(self, serialized: str, complete_data: dict, spec_pair, start_data: dict, scratch: Path):
        self.serialized, self.complete_data, self.start_data = serialized, complete_data, start_data
        self.spec, self.subs = spec_pair
        self.table = StateTable(scratch / "raw-floor.db")
        self.samples = {k: [] for k in ("complete", "complete_commit", "start", "start_commit")}
        for _ in range(3):  # warm the caches
            complete_once(serialized, complete_data), start_once(self.spec, self.subs, start_data)

    def round(self) -> None:
        # Rotate which figure goes first: the first operation after one of the product's finds colder caches.
        self.rounds = getattr(self, "rounds", 0) + 1
        pairs = [("complete", lambda: complete_once(self.serialized, self.complete_data)),
                 ("complete_commit", lambda: self.table.update(complete_once(self.serialized, self.complete_data))),
                 ("start", lambda: start_once(self.spec, self.subs, self.start_data)),
                 ("start_commit", lambda: self.table.insert(start_once(self.spec, self.subs, self.start_data)))]
        shift = self.rounds % len(pairs)
        for key, operation in pairs[shift:] + pairs[:shift]:  # each figure goes first in one round of four
            t0 = time.perf_counter()
            operation()
            self.samples[key].append((time.perf_counter() - t0) * 1000)

    def result(self) -> dict:
        return {k: Sample(list(v)) for k, v in self.samples.items()}

    def close(self) -> None:
        self.table.close()
