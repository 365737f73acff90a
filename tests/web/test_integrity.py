"""完整性检查 page and `xieshang verify`: administrators only; a run is kept and shown; a tampered event is named."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from engine.models import Event
from web import cli

from .conftest import PROCESSES
from .helpers import scalar, submit, text

from engine.integrity import IntegrityCheck


@pytest.mark.parametrize("username, status", [("admin", 200), ("office1", 403), ("member1", 403)])
def test_only_administrators_open_the_page(client, auth, username, status):
    auth.as_(username)
    assert client.get("/integrity").status_code == status
    assert ('href="/integrity"' in client.get("/inbox").get_data(as_text=True)) == (status == 200)
    assert client.post("/integrity").status_code in ((302,) if status == 200 else (403,))


def test_running_the_check_keeps_the_run_and_names_what_is_broken(client, auth, db):
    instance_id = submit(auth, client)
    auth.as_("admin")
    assert "尚未检查过" in text(client.get("/integrity"))
    page = text(client.post("/integrity", follow_redirects=True))
    assert "均完好" in page and scalar(db, select(func.count()).select_from(IntegrityCheck)) == 1
    first = scalar(db, select(Event.id).where(Event.instance_id == instance_id).order_by(Event.id).limit(1))
    db.execute(update(Event).where(Event.id == first).values(data={"title": "改过的"}))
    db.commit()
    page = text(client.post("/integrity", follow_redirects=True))
    assert "发现 1 处问题" in page and f"事项 {instance_id} 的办理记录" in page and f"第 {first} 条" in page
    assert "记录内容被改动" in page and f'href="/instances/{instance_id}"' in client.get("/integrity").get_data(as_text=True)


def _cli(url: str, *args: str):
    return CliRunner().invoke(cli.main, ["--database-url", url, *args], catch_exceptions=False)


def test_verify_exits_non_zero_naming_the_first_broken_link(tmp_path, monkeypatch):
    from engine import db as engine_db

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for args in (("init-db",), ("deploy", "--directory", str(PROCESSES)), ("demo", "--directory", str(PROCESSES))):
        assert _cli(url, *args).exit_code == 0
    result = _cli(url, "verify")
    assert result.exit_code == 0 and "记录完好" in result.stdout
    engine = engine_db.make_engine(url)
    with engine.begin() as conn:
        instance = conn.scalar(select(Event.instance_id).where(Event.instance_id.is_not(None)).limit(1))
        chain = conn.execute(select(Event.id).where(Event.instance_id == instance).order_by(Event.id)).scalars().all()
        conn.execute(update(Event).where(Event.id == chain[1]).values(prev_hash="0" * 64))
    engine.dispose()
    result = _cli(url, "verify")
    assert result.exit_code == 1
    assert f"事项 {instance}：第 {chain[1]} 条记录，前后记录衔接不上" in result.output
