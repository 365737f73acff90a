"""The web app and the `xieshang` command build the settings from the XIESHANG_* environment (the app's
configuration overriding it) and hand them to the engine with every session."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine import settings as engine_settings
from web import cli, create_app
from web.db import EXTENSION, dispose


@pytest.fixture
def make_app():
    apps = []

    def make(config=None, **kwargs):
        app = create_app({"SECRET_KEY": "x", **(config or {})}, **kwargs)
        apps.append(app)
        return app

    yield make
    for app in apps:
        dispose(app)


def session_settings(app):
    with app.extensions[EXTENSION]["sessionmaker"]() as session:
        return engine_settings.of(session)


def test_the_environment_names_reach_the_engine(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("XIESHANG_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("XIESHANG_DUE_SOON_DAYS", "5")
    monkeypatch.setenv("XIESHANG_SMTP_HOST", "mail.example.org")
    given = session_settings(make_app())
    assert given.database_url.endswith("env.db") and given.due_soon_days == 5 and given.smtp.host == "mail.example.org"


def test_the_configuration_overrides_the_environment(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("XIESHANG_DUE_SOON_DAYS", "5")
    monkeypatch.delenv("XIESHANG_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'plain.db'}")
    assert make_app().config["DATABASE_URL"].endswith("plain.db")
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'cfg.db'}", "XIESHANG_DUE_SOON_DAYS": 1})
    assert app.config["DATABASE_URL"].endswith("cfg.db") and session_settings(app).due_soon_days == 1


def test_settings_handed_in_win(make_app, tmp_path):
    given = engine_settings.Settings(database_url=f"sqlite:///{tmp_path / 'given.db'}", secret_key="s",
                                     due_soon_days=9)
    app = make_app({"SECRET_KEY": None}, settings=given)
    assert session_settings(app) == given and app.config["SECRET_KEY"] == "s"


def test_the_command_hands_the_environment_to_its_sessions(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("XIESHANG_DUE_SOON_DAYS", "6")
    monkeypatch.setenv("XIESHANG_DATABASE_URL", url)
    seen = {}

    def tick(session):
        seen["settings"] = engine_settings.of(session)
        return {"timers": 0, "started": 0}

    monkeypatch.setattr("engine.runtime.schedule.tick", tick)
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init-db"], catch_exceptions=False).exit_code == 0
    assert runner.invoke(cli.main, ["tick"], catch_exceptions=False).exit_code == 0
    assert seen["settings"].due_soon_days == 6 and seen["settings"].database_url == url
