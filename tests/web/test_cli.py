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


def test_init_db_seeds_the_library_years_and_holidays_load_adds_a_year(tmp_path):
    import json

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run(url, "init-db")
    listed = run(url, "holidays", "list")
    assert "2026\t" in listed and "2027\t" not in listed
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"year": 2027, "source": "国办发明电〔2026〕12号", "holidays": [
        {"name": "春节", "start": "2027-02-06", "end": "2027-02-14"}], "workdays": []}, ensure_ascii=False),
        encoding="utf-8")
    assert "已录入 2027 年的节假日安排" in run(url, "holidays", "load", str(path))
    assert "2027\t1\t国办发明电〔2026〕12号" in run(url, "holidays", "list")
    run(url, "init-db")  # again: nothing seeded twice, the entered year kept
    assert run(url, "holidays", "list").count("2027\t") == 1


def test_holidays_load_refuses_a_bad_file_and_says_why(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run(url, "init-db")
    path = tmp_path / "bad.json"
    path.write_text('{"year": 2027, "holidays": [{"name": "春节", "start": "2027-02-14", "end": "2027-02-06"}]}',
                    encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["--database-url", url, "holidays", "load", str(path)])
    assert result.exit_code == 1 and "结束日期早于开始日期" in result.output
