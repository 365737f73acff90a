"""`xieshang backup` while cases are being completed in another thread, then `xieshang restore` into an empty
database: every audit chain verifies and every attachment is there with its hash, on SQLite and PostgreSQL; a
database that is not empty is refused and left as it was."""
from __future__ import annotations

import threading
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from engine import backup as backups, db, integrity
from engine.cases import attachments
from engine.cases.records import Attachment
from engine.models import Event, Instance, User
from engine.runtime import verbs as runtime
from web import cli

from ..conftest import PG_URL
from .flow import SUBMIT

REVIEW = {"decision": "立案", "is_key": False, "face_to_face": False}


class Load(threading.Thread):
    """Submits proposals with an attachment each and completes their review, one commit per step, until stopped."""

    def __init__(self, url: str, files):
        super().__init__(daemon=True)
        self.engine = db.make_engine(url)
        self.store = attachments.Store(files)
        self.stop, self.done, self.error = threading.Event(), 0, None
        self.progress = threading.Condition()

    def run(self):
        maker = db.make_sessionmaker(self.engine)
        try:
            with maker() as session:
                member, reviewer = (session.scalars(select(User).where(User.username == name)).one()
                                    for name in ("member1", "tiwei"))
                while not self.stop.is_set():
                    with db.writing():
                        instance = runtime.start_instance(session, member, "proposal", dict(SUBMIT))
                        session.commit()
                        attachments.add(session, self.store, member, instance, f"材料{self.done}.txt",
                                        f"第 {self.done} 份材料 {uuid.uuid4()}".encode())
                        session.commit()
                        task = next(t for t in runtime_tasks(session, instance) if t.bpmn_id == "review")
                        runtime.complete_task(session, reviewer, task.id, REVIEW)
                        session.commit()
                    with self.progress:
                        self.done += 1
                        self.progress.notify_all()
        except Exception as err:  # noqa: BLE001 - reported by the test
            self.error = err
        finally:
            self.engine.dispose()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.done >= count or self.error, timeout=120), self.done
        assert self.error is None, self.error


def runtime_tasks(session, instance):
    from engine.models import OpenTask

    return session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)).all()


def _cli(url: str, *args) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["--database-url", url, *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def restore_url(db_url, tmp_path):
    """An empty database to restore into: a SQLite file, or a new PostgreSQL database (the backup brings back its
    schema under the name it had)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"xs_restore_{uuid.uuid4().hex[:10]}"
    admin = db.make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _counts(url: str) -> tuple[int, int, int]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(connection.scalar(select(func.count()).select_from(model))
                         for model in (Instance, Event, Attachment))
    finally:
        engine.dispose()


def test_backup_under_load_restores_with_every_chain_and_file(deployed, db_url, restore_url, tmp_path, both_backends):
    files, restored_files, target = tmp_path / "files", tmp_path / "restored-files", tmp_path / "backup"
    deployed.close()
    load = Load(db_url, files)
    load.start()
    try:
        load.wait_for(3)
        started = load.done
        code, output = _cli(db_url, "backup", str(target), "--files-dir", str(files))
        assert code == 0, output
        load.wait_for(load.done + 2)  # the load went on during and after the backup
    finally:
        load.stop.set()
        load.join(60)
    assert load.error is None, load.error
    manifest = backups.Manifest.read(target)
    assert len(manifest.files) >= started and all((target / "files" / s[:2] / s).exists() for s in manifest.files)

    code, output = _cli(restore_url, "restore", str(target), "--files-dir", str(restored_files))
    assert code == 0, output
    instances, events, attached = _counts(restore_url)
    assert started <= instances <= load.done and attached == instances and events > 0
    code, output = _cli(restore_url, "verify")
    assert code == 0 and "记录完好" in output, output
    engine = db.make_engine(restore_url)
    with db.make_sessionmaker(engine)() as session:
        assert integrity.run(session, "test").ok
        assert session.scalar(select(func.count()).select_from(Attachment)) == len(manifest.files)
        assert backups.missing_or_changed_files(session, restored_files) == []
    engine.dispose()

    # a second restore meets a database that is not empty: refused, nothing changed
    before = _counts(restore_url)
    code, output = _cli(restore_url, "restore", str(target), "--files-dir", str(restored_files))
    assert code != 0 and "不是空的" in output
    assert _counts(restore_url) == before


def test_a_damaged_attachment_stops_the_restore_before_the_database(deployed, db_url, restore_url, tmp_path,
                                                                    both_backends, users):
    from .flow import Flow

    files, target = tmp_path / "files", tmp_path / "backup"
    instance = Flow(deployed, users).submit()
    row = attachments.add(deployed, attachments.Store(files), users.member1, instance, "a.txt", b"original text")
    deployed.commit()
    backups.backup(db_url, files, target)
    (target / "files" / row.sha256[:2] / row.sha256).write_bytes(b"changed text!")
    with pytest.raises(backups.BackupError) as caught:
        backups.restore(restore_url, tmp_path / "restored-files", target)
    assert "内容与记录不符" in caught.value.message
    engine = db.make_engine(restore_url)
    with engine.connect() as connection:
        assert not connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table'" if restore_url.startswith("sqlite") else
            "SELECT 1 FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).first()
    engine.dispose()
