"""The `xieshang` command."""
from __future__ import annotations

from click.testing import CliRunner

from web import cli

from .conftest import PROCESSES


def run(url: str, *args: str):
    result = CliRunner().invoke(cli.main, ["--database-url", url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_init_deploy_demo_tick(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert "数据库已初始化" in run(url, "init-db")
    assert "proposal\tv1\t提案办理" in run(url, "deploy", "--directory", str(PROCESSES))
    assert "proposal\tv1" in run(url, "deploy", "--directory", str(PROCESSES))  # unchanged: same version
    output = run(url, "demo", "--directory", str(PROCESSES))
    assert "xieshang" in output and "member1" in output and "czj_clerk" in output
    assert "已推进 0 个事项，新发起 0 个事项" in run(url, "tick")


def test_serve_uses_waitress_on_localhost(tmp_path, monkeypatch):
    monkeypatch.setenv("XIESHANG_SECRET_KEY", "cli-test")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run(url, "init-db")
    calls: dict = {}
    apps = []

    def fake_serve(app, **kwargs):
        calls.update(kwargs, app=app)
        apps.append(app)

    monkeypatch.setattr("waitress.serve", fake_serve)
    run(url, "serve", "--port", "5123")
    assert calls["host"] == "127.0.0.1" and calls["port"] == 5123
    assert calls["app"].config["DATABASE_URL"] == url
    run(url, "serve", "--host", "0.0.0.0", "--port", "8080")
    assert calls["host"] == "0.0.0.0" and calls["port"] == 8080
    from web.db import dispose

    for app in apps:
        dispose(app)


def test_bad_diagram_fails_with_the_problems(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run(url, "init-db")
    bad = tmp_path / "processes"
    bad.mkdir()
    (bad / "roles.json").write_text((PROCESSES / "roles.json").read_text(encoding="utf-8"), encoding="utf-8")
    (bad / "units.json").write_text((PROCESSES / "units.json").read_text(encoding="utf-8"), encoding="utf-8")
    (bad / "broken.bpmn").write_text("<not-xml", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["--database-url", url, "deploy", "--directory", str(bad)])
    assert result.exit_code != 0 and "XML" in result.output
