"""The demonstration year of `xieshang demo`: made through the engine once, it fills the board, the register and the
public pages that a first `make run` shows; running `demo` again changes nothing."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from engine import db as engine_db
from engine.models import Event, Instance
from engine.procedures.proposal.records import Proposal
from web import cli, create_app
from web.db import dispose

from .conftest import PROCESSES
from .helpers import text


def _run(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli.main, ["--database-url", url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demonstration_year_fills_the_pages_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    _run(url, "init-db")
    _run(url, "deploy", "--directory", str(PROCESSES))
    assert "演示年度" in _run(url, "demo", "--directory", str(PROCESSES))
    engine = engine_db.make_engine(url)
    with engine_db.make_sessionmaker(engine)() as session:
        made = session.scalar(select(func.count()).select_from(Instance))
        decisions = sorted(str(d) for d in session.scalars(select(Proposal.decision)))
        published = session.scalar(select(func.count()).select_from(Proposal).where(Proposal.publish_proposal))
        started = session.scalar(select(func.count()).select_from(Event).where(Event.kind == "start"))
    assert made == 9 and started == 9  # every one started through the engine, with its audit event
    assert decisions == ["None", "不立案", "立案", "立案", "立案", "立案", "立案"] and published == 1
    assert "演示年度" not in _run(url, "demo", "--directory", str(PROCESSES))  # once
    with engine_db.make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == made
    engine.dispose()

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False, "TESTING": True})
    client = app.test_client()
    public = text(client.get("/public"))
    assert "关于加快城区老旧小区改造的建议" in public and "关于加强农村义务教育学校师资配备的建议" not in public
    client.post("/login", data={"username": "office1", "password": "xieshang"})
    year = _year_of(app)
    board = client.get(f"/board?year={year}").get_data(as_text=True)
    o11 = board.split('id="O11"', 1)[1].split("</tr>", 1)[0]
    assert "第1季度：1 次" in o11
    register = text(client.get(f"/proposals/register?year={year}"))
    assert all(f"{year}-00{n}" in register for n in range(1, 8))
    dispose(app)


def _year_of(app) -> int:
    from web.db import EXTENSION

    with app.extensions[EXTENSION]["sessionmaker"]() as session:
        return int(session.scalar(select(Proposal.number)).split("-")[0])
