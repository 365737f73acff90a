"""A large SQLite database for the inbox: finished proposals by the million and up to 100k open tasks, written with
INSERT … SELECT over a recursive counter (no engine involved), kept under instance/bench/ and reused while its
parameters, the table definitions and the deployed diagrams stay the same.

What is generated (all in the product's own tables):
- `finished` completed 提案办理 instances (years 2016–2025) with their `proposals` rows (accepted within the return
  window but for one in nine, replied by the deadline but for one in twenty). Their saved workflow state is
  left empty: nothing measured here reads it, and real states (~40 KB each) would make the file tens of GB.
- `open_max` running instances, each with one open task, stored aside in `bench_open_tasks`; a tier of N open tasks
  copies the first N of them into `open_tasks`. Steps and shares: 审查立案 10 %, 交办 10 % (the 政协办公室 clerk's),
  签收 15 %, 会办意见 10 %, 办理答复 35 % (spread over the 12 handling units), 满意度评价 15 % (over member1–5),
  逾期督办 5 %; arrival times spread over the last year, due 10 days later (so most are overdue).
No ANALYZE is run: the planner works without statistics, as on a fresh installation.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Boolean, Integer
from sqlalchemy.schema import CreateIndex, CreateTable

from engine.people.demo import HANDLING_UNITS
from engine.models import Base, Instance, OpenTask
from engine.procedures.proposal.records import Proposal

from . import fixtures

GENERATOR = 5  # bump when what is generated changes
# (bpmn_id, name, role_key, lane, form, how many of 20, candidate kind)
STEPS = [
    ("review", "审查立案", "proposal_committee", "提案委员会", "review", 2, None),
    ("assign", "交办", "office", "政协办公室", "assign", 2, None),
    ("accept", "签收", "department", "承办单位", "accept", 3, "unit"),
    ("co_opinion", "会办意见", "department", "承办单位", "co_opinion", 2, "unit"),
    ("handle", "办理答复", "department", "承办单位", "reply", 7, "unit"),
    ("satisfaction", "满意度评价", "member", "委员", "satisfaction", 3, "user"),
    ("remind", "逾期督办", "supervisor", "督办", "remind", 1, None),
]
TITLE = "关于进一步加强城乡社区治理、推动基层协商民主制度化规范化的建议"
CONTENT = "近年来我县社区治理取得一定成效，但仍存在协商议题来源单一、协商成果转化不够等问题。"
SUGGESTION = "一、拓宽议题来源；二、建立协商成果办理反馈机制；三、加强社区协商骨干培训。"


def fingerprint() -> str:
    """Table definitions plus the deployed diagrams and forms: a change regenerates the file."""
    from sqlalchemy.dialects import sqlite

    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        digest.update(str(CreateTable(table).compile(dialect=sqlite.dialect())).encode())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            digest.update(str(CreateIndex(index).compile(dialect=sqlite.dialect())).encode())
    for path in sorted(fixtures.PROCESSES.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _stamp(expr: str) -> str:
    """A SQL expression giving the product's SQLite datetime text (naive UTC, microseconds) for `expr` seconds
    after 2016-01-01."""
    return f"strftime('%Y-%m-%d %H:%M:%S', 1451606400 + ({expr}), 'unixepoch') || '.000000'"


def _fill(table, given: dict[str, str]) -> tuple[str, str]:
    """Column list and select list: `given` plus a literal for every other NOT NULL column (so that columns other
    engineers add later do not break the generator)."""
    cols, exprs = list(given), list(given.values())
    for column in table.columns:
        if column.name in given or column.primary_key or column.nullable:
            continue
        default = column.default.arg if column.default is not None and not callable(column.default.arg) else None
        if isinstance(default, (dict, list)):
            literal = "'" + json.dumps(default).replace("'", "''") + "'"
        elif isinstance(default, bool) or isinstance(column.type, Boolean):
            literal = "1" if default else "0"
        elif isinstance(default, (int, float)) or isinstance(column.type, Integer):
            literal = str(default or 0)
        else:
            literal = "'" + str(default or "").replace("'", "''") + "'"
        cols.append(column.name)
        exprs.append(literal)
    return ", ".join(cols), ", ".join(exprs)


def path_for(directory: Path, finished: int, open_max: int) -> Path:
    return directory / f"inbox-{finished}-finished-{open_max}-open.db"


def ensure(directory: Path, finished: int, open_max: int, log=print) -> tuple[Path, bool]:
    """The database file for these parameters, generated unless a matching one exists; (path, reused)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = path_for(directory, finished, open_max)
    params = {"generator": GENERATOR, "finished": finished, "open_max": open_max, "fingerprint": fingerprint()}
    if path.exists():
        try:
            with sqlite3.connect(path) as conn:
                stored = dict(conn.execute("SELECT key, value FROM bench_meta"))
            if stored == {k: str(v) for k, v in params.items()}:
                return path, True
        except sqlite3.Error:
            pass
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    database = fixtures.build(f"sqlite:///{path}")
    database.dispose()
    _generate(path, finished, open_max)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.executemany("INSERT INTO bench_meta VALUES (?, ?)", [(k, str(v)) for k, v in params.items()])
    log(f"generated {path.name} in {time.perf_counter() - t0:.0f} s")
    return path, False


def _generate(path: Path, finished: int, open_max: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    version_id, name = conn.execute(
        "SELECT id, name FROM process_versions WHERE process_key='proposal' ORDER BY version DESC LIMIT 1").fetchone()
    members = dict(conn.execute("SELECT username, id FROM users WHERE username LIKE 'member%'"))
    member_ids = [members[f"member{i}"] for i in range(1, 6)]
    base = conn.execute("SELECT coalesce(max(id), 0) FROM instances").fetchone()[0]
    counter = "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) "
    member_case = "CASE i % 5 " + " ".join(f"WHEN {k} THEN {mid}" for k, mid in enumerate(member_ids)) + " END"
    one_year = 365 * 86400  # open work arrived over the last year
    conn.execute("BEGIN")
    # finished instances: started in 2016..2025, closed ~4 months later
    cols, exprs = _fill(Instance.__table__, {
        "id": f"{base} + i", "version_id": str(version_id), "process_key": "'proposal'",
        "title": f"'{TITLE}（' || i || '）'", "business_key": "(2016 + i % 10) || '-' || printf('%07d', i)",
        "status": "'completed'", "started_by_id": member_case,
        "started_at": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000"),
        "updated_at": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 10000000"),
        "completed_at": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 10000000"),
        "state": "''", "serializer_version": "'1.5'", "message_waits": "'[]'", "lock_version": "9"})
    conn.execute(counter.format(n=finished) + f"INSERT INTO instances ({cols}) SELECT {exprs} FROM seq")
    cols, exprs = _fill(Proposal.__table__, {
        "instance_id": f"{base} + i", "number": "(2016 + i % 10) || '-' || printf('%07d', i)",
        "title": f"'{TITLE}（' || i || '）'", "category": "'社会'", "content": f"'{CONTENT}'",
        "suggestion": f"'{SUGGESTION}'", "proposer_id": member_case, "cosigners": "'[]'", "status": "'已办结'",
        "decision": "'立案'", "is_key": "0", "face_to_face": "0",
        "lead_unit_code": "CASE i % 12 " + " ".join(f"WHEN {k} THEN '{u}'" for k, u in enumerate(HANDLING_UNITS))
                          + " END",
        "co_units": "'[]'", "result_class": "'A'", "reply_text": "'已采纳并落实。'", "satisfaction": "'满意'",
        "publish_proposal": "1", "publish_reply": "1",
        "submitted_at": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000"),
        "accept_due": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 2000000"),
        "accepted_at": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 1500000 + (i % 9) * 100000"),
        "reply_due": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 9000000"),
        "first_reply_due": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 9000000"),
        "replied_at": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 8000000 + (i % 20 = 0) * 2000000"),
        "closed_at": _stamp("(i % 10) * 31536000 + (i * 7919) % 31000000 + 10000000")})
    conn.execute(counter.format(n=finished) + f"INSERT INTO proposals ({cols}) SELECT {exprs} FROM seq")
    # running instances, one open task each (kept aside; tiers copy a prefix into open_tasks)
    running = base + finished
    now = int(time.time()) - 1451606400
    cols, exprs = _fill(Instance.__table__, {
        "id": f"{running} + i", "version_id": str(version_id), "process_key": "'proposal'",
        "title": f"'{TITLE}（在办' || i || '）'", "business_key": "'2026-' || printf('%07d', i)",
        "status": "'running'", "started_by_id": member_case,
        "started_at": _stamp(f"{now} - (i * 104729) % {one_year}"),
        "updated_at": _stamp(f"{now} - (i * 104729) % {one_year}"),
        "state": "''", "serializer_version": "'1.5'", "message_waits": "'[]'", "lock_version": "3"})
    conn.execute(counter.format(n=open_max) + f"INSERT INTO instances ({cols}) SELECT {exprs} FROM seq")
    conn.execute("CREATE TABLE bench_open_tasks AS SELECT * FROM open_tasks WHERE 0")
    conn.execute("ALTER TABLE bench_open_tasks ADD COLUMN seq INTEGER")
    shares, case_parts, lower = [], {k: [] for k in ("bpmn_id", "name", "role_key", "lane", "form", "kind")}, 0
    for bpmn_id, step_name, role, lane, form, share, kind in STEPS:
        cond = f"i % 20 < {lower + share}"
        lower += share
        for key, value in (("bpmn_id", bpmn_id), ("name", step_name), ("role_key", role), ("lane", lane),
                           ("form", f"forms/proposal/{form}.json"), ("kind", kind or "")):
            case_parts[key].append(f"WHEN {cond} THEN '{value}'")
    case = {k: "CASE " + " ".join(v) + " END" for k, v in case_parts.items()}
    unit_case = "CASE (i / 20) % 12 " + " ".join(f"WHEN {k} THEN '{u}'" for k, u in enumerate(HANDLING_UNITS)) + " END"
    user_case = "CASE (i / 20) % 5 " + " ".join(f"WHEN {k} THEN 'member{k + 1}'" for k in range(5)) + " END"
    created = f"{now} - (i * 104729) % {one_year}"
    cols, exprs = _fill(OpenTask.__table__, {
        "id": "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' "
              "|| hex(randomblob(2)) || '-' || hex(randomblob(6)))",
        "instance_id": f"{running} + i", "process_key": "'proposal'", "process_name": f"'{name}'",
        "bpmn_id": case["bpmn_id"], "name": case["name"], "lane": case["lane"], "role_key": case["role_key"],
        "candidate_unit": f"CASE {case['kind']} WHEN 'unit' THEN {unit_case} END",
        "candidate_user": f"CASE {case['kind']} WHEN 'user' THEN {user_case} END",
        "form_path": case["form"], "instructions": "'请在期限内办理，逾期将由督查室督办。'",
        "title": f"'{TITLE}（在办' || i || '）'", "business_key": "'2026-' || printf('%07d', i)",
        "created_at": _stamp(created), "due_at": _stamp(f"{created} + 864000"), "seq": "i"})
    conn.execute(counter.format(n=open_max) + f"INSERT INTO bench_open_tasks ({cols}) SELECT {exprs} FROM seq")
    conn.execute("CREATE INDEX bench_open_tasks_seq ON bench_open_tasks (seq)")
    conn.execute("COMMIT")
    conn.close()


def set_open_tasks(path: Path, count: int) -> int:
    """Make `open_tasks` hold exactly the first `count` generated tasks; returns the office clerk's share."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA synchronous=NORMAL")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(open_tasks)")]
    have = conn.execute("SELECT count(*) FROM open_tasks").fetchone()[0]
    conn.execute("BEGIN IMMEDIATE")
    generated = {r[0] for r in conn.execute("SELECT id FROM bench_open_tasks WHERE seq = 1")}
    first = conn.execute("SELECT id FROM open_tasks ORDER BY rowid LIMIT 1").fetchone()
    if have > count or (have and (first is None or first[0] not in generated)):
        conn.execute("DELETE FROM open_tasks")
        have = 0
    cols = ", ".join(columns)
    conn.execute(f"INSERT INTO open_tasks ({cols}) SELECT {cols} FROM bench_open_tasks "
                 f"WHERE seq > ? AND seq <= ? ORDER BY seq", (have, count))
    conn.execute("COMMIT")
    office = conn.execute("SELECT count(*) FROM open_tasks WHERE role_key = 'office'").fetchone()[0]
    conn.close()
    return office
