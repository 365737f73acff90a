"""Backups taken while the server runs, and restoring one into an empty database (`xieshang backup` / `restore`).

A backup is a directory:

    manifest.json      what was copied: the database kind, its schema revision, every attachment's sha256 and size
    database.sqlite3   SQLite: a copy made with SQLite's online backup API (one consistent snapshot; writers go on)
    database.dump      PostgreSQL: `pg_dump --format=custom` of an exported snapshot
    files/ab/abcd…     the attachments the snapshot refers to, content-addressed as in the file store

Consistency: the attachment store only ever adds files, and a file is written before the row that names it is
committed, so every attachment a snapshot names is on disk when the snapshot is taken. The list of files to copy is
read from the snapshot itself (the SQLite copy; on PostgreSQL the same exported snapshot pg_dump uses), and each file
is hashed as it is copied. Restoring refuses a database that already has tables, copies the files back (checking each
hash), and leaves the audit chains to `xieshang verify`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine import db
from engine.cases.records import Attachment
from engine.errors import XieshangError
from engine.i18n import N_

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
FILES = "files"
FORMAT = 1


@dataclass
class Manifest:
    kind: str  # "sqlite" or "postgresql"
    revision: str | None
    taken_at: str
    files: dict[str, int] = field(default_factory=dict)  # sha256 -> size
    format: int = FORMAT

    def write(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        try:
            values = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            return cls(**values)
        except (OSError, ValueError, TypeError):
            raise XieshangError(N_("%(path)s 不是本系统的备份（缺少或无法读取 manifest.json）。", path=str(directory))) from None


class BackupError(XieshangError):
    pass


def _file_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(N_("内存数据库无法备份或恢复。"))
    return Path(database)


def _libpq_url(url: str) -> str:
    """The URL as pg_dump / pg_restore take it (no SQLAlchemy driver name)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _pg_schema(url: str) -> str | None:
    """The schema named by `options=-csearch_path=…` in the URL (the tests' own schema), None for the default."""
    options = make_url(url).query.get("options")
    options = options if isinstance(options, str) else " ".join(options or ())
    for part in urllib.parse.unquote(options).split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1].split(",")[0].strip() or None
    return None


def _rows(connection, sql: str) -> list[tuple]:
    """A query on a SQLAlchemy connection or on a plain sqlite3 one (the backup copy)."""
    if isinstance(connection, sqlite3.Connection):
        return connection.execute(sql).fetchall()
    return [tuple(row) for row in connection.exec_driver_sql(sql).all()]


def _revision(connection) -> str | None:
    rows = _rows(connection, "SELECT version_num FROM alembic_version")
    return rows[0][0] if rows else None


def _copy_files(hashes: dict[str, int], source: Path, target: Path) -> None:
    """Copy each named file, checking its hash and size on the way."""
    for sha256, size in hashes.items():
        origin, destination = _file_path(source, sha256), _file_path(target, sha256)
        if destination.exists() and _digest(destination) == sha256:
            continue
        if not origin.exists():
            raise BackupError(N_("附件文件 %(sha)s 不存在（%(path)s）。", sha=sha256, path=str(origin)))
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".part")
        hasher, copied = hashlib.sha256(), 0
        with origin.open("rb") as reader, partial.open("wb") as writer:
            while chunk := reader.read(1024 * 1024):
                hasher.update(chunk)
                copied += len(chunk)
                writer.write(chunk)
        if hasher.hexdigest() != sha256 or copied != size:
            partial.unlink()
            raise BackupError(N_("附件文件 %(sha)s 的内容与记录不符，未复制。", sha=sha256))
        os.replace(partial, destination)


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(1024 * 1024):
            hasher.update(chunk)
    return hasher.hexdigest()


def _attachments(connection) -> dict[str, int]:
    rows = _rows(connection, "SELECT sha256, max(size) FROM case_attachments GROUP BY sha256")
    return {sha256: int(size) for sha256, size in rows}


def _empty_target(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(N_("备份目录 %(path)s 已存在且不是空的：请指定一个新目录。", path=str(directory)))
    directory.mkdir(parents=True, exist_ok=True)


# ---------------------------------------------------------------- backup

def backup(url: str, files_dir: Path, directory: Path) -> Manifest:
    """Copy the database at `url` and the attachments it names into the new directory `directory`."""
    url = db.database_url(url)
    directory = Path(directory)
    _empty_target(directory)
    taken_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    if url.startswith("sqlite"):
        manifest = _backup_sqlite(url, directory, taken_at)
    else:
        manifest = _backup_postgresql(url, directory, taken_at)
    _copy_files(manifest.files, Path(files_dir), directory / FILES)
    manifest.write(directory)
    return manifest


def _backup_sqlite(url: str, directory: Path, taken_at: str) -> Manifest:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(N_("数据库文件 %(path)s 不存在。", path=str(source_path)))
    target = directory / SQLITE_FILE
    source = sqlite3.connect(str(source_path), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)  # online backup API, in one step: one consistent snapshot, writers go on (WAL)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        files = _attachments(copy)
        revision = _revision(copy)
    finally:
        copy.close()
        source.close()
    return Manifest("sqlite", revision, taken_at, files)


def _backup_postgresql(url: str, directory: Path, taken_at: str) -> Manifest:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            # One snapshot for the list of files and for pg_dump: what the dump holds is what the files cover.
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            files = _attachments(connection)
            revision = _revision(connection)
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                       f"--file={directory / PG_FILE}"]
            schema = _pg_schema(url)
            if schema:
                command.append(f"--schema={schema}")
            _run(command + ["--dbname", _libpq_url(url)])
            connection.rollback()
    finally:
        engine.dispose()
    return Manifest("postgresql", revision, taken_at, files)


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(N_("找不到 %(program)s：请安装 PostgreSQL 客户端程序。", program=command[0])) from None
    if done.returncode != 0:
        raise BackupError(N_("%(program)s 失败：%(error)s", program=command[0], error=done.stderr.strip()[-500:]))


# ---------------------------------------------------------------- restore

def restore(url: str, files_dir: Path, directory: Path) -> Manifest:
    """Bring the backup in `directory` back into the empty database at `url` and its attachments into `files_dir`."""
    url = db.database_url(url)
    directory = Path(directory)
    manifest = Manifest.read(directory)
    is_sqlite = url.startswith("sqlite")
    if manifest.kind != ("sqlite" if is_sqlite else "postgresql"):
        raise BackupError(N_("这是 %(kind)s 数据库的备份，不能恢复到另一种数据库。", kind=manifest.kind))
    _require_empty(url)
    _copy_files(manifest.files, directory / FILES, Path(files_dir))  # files first: rows never name a missing file
    if is_sqlite:
        _restore_sqlite(directory / SQLITE_FILE, _sqlite_path(url))
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", _libpq_url(url), str(directory / PG_FILE)])
    return manifest


def _require_empty(url: str) -> None:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                tables = inspect(connection).get_table_names()
            else:
                schema = _pg_schema(url) or "public"
                tables = connection.execute(text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema"),
                    {"schema": schema}).scalars().all()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(N_("目标数据库不是空的（已有 %(n)s 张表）：恢复只能进入一个空数据库，现有数据未动。", n=len(tables)))


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copy = sqlite3.connect(str(target))
    try:
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()
        origin.close()


# ---------------------------------------------------------------- checking

def missing_or_changed_files(session: Session, files_dir: Path) -> list[int]:
    """Ids of attachments whose file is missing or whose content no longer has the recorded hash."""
    wrong = []
    for attachment_id, sha256 in session.execute(select(Attachment.id, Attachment.sha256).order_by(Attachment.id)):
        path = _file_path(Path(files_dir), sha256)
        if not path.exists() or _digest(path) != sha256:
            wrong.append(attachment_id)
    return wrong

