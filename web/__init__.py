"""协商 web front end: Flask app factory."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from werkzeug.routing import IntegerConverter
from flask_wtf.csrf import CSRFProtect

import engine.procedures  # noqa: F401 - the procedures register with the core before any request
from engine.settings import Settings

csrf = CSRFProtect()


class RowId(IntegerConverter):
    """`<int:…>` in every route: a row id, so no larger than the database's integer columns (PostgreSQL's INTEGER):
    a 20-digit id is an unknown page (404), not a database error."""

    def __init__(self, url_map, **kwargs) -> None:
        super().__init__(url_map, **{"max": 2**31 - 1, **kwargs})


def create_app(test_config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """The app for `settings` (the `xieshang` command builds them), else for the environment's XIESHANG_* names
    overridden by the same names in `test_config` (and DATABASE_URL there)."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = RowId  # before any blueprint registers a route
    app.config.from_mapping(
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # a clerk may keep a long form open for hours
    )
    if test_config:
        app.config.from_mapping(test_config)
    settings = settings or settings_from(os.environ, app.config)
    app.config["DATABASE_URL"] = settings.database_url
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key or _secret_key(Path(app.instance_path))

    from web import db, errors, i18n, menu, security, users, views
    from web.accounts import bp as accounts_bp
    from web.attachments import bp as attachments_bp
    from web.auth import bp as auth_bp
    from web.auth.password import bp as password_bp
    from web.inbox import bp as inbox_bp
    from web.instances import bp as instances_bp
    from web.notifications import bp as notifications_bp
    from web.proposals import bp as proposals_bp
    from web.public import bp as public_bp
    from web.duty import bp as duty_bp
    from web.duty.sheqing import bp as sheqing_bp
    from web.roster import bp as roster_bp
    from web.holidays import bp as holidays_bp
    from web.board import bp as board_bp
    from web.integrity import bp as integrity_bp
    from web.modeler import bp as modeler_bp, processes_bp

    security.init_app(app, settings)  # first: its request hooks run before any other
    db.init_app(app, settings)
    users.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    menu.init_app(app)
    for blueprint in (auth_bp, inbox_bp, proposals_bp, instances_bp, modeler_bp, processes_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(public_bp)  # 公开: no login
    for blueprint in (duty_bp, sheqing_bp, roster_bp, holidays_bp, board_bp):  # members, supervision, calendar, board
        app.register_blueprint(blueprint)
    app.register_blueprint(attachments_bp)
    for blueprint in (accounts_bp, password_bp, integrity_bp):  # 账号管理, 修改密码, 完整性检查
        app.register_blueprint(blueprint)
    db.install(app)  # last: every view, whichever blueprint, runs as one transaction
    return app


def settings_from(environ: Mapping[str, str], config: Mapping[str, Any]) -> Settings:
    """The environment's XIESHANG_* names, each overridden by the same name in the app's configuration; the database
    is the configuration's DATABASE_URL, else XIESHANG_DATABASE_URL, else DATABASE_URL."""
    values: dict[str, Any] = {**environ, **{k: v for k, v in config.items() if k.startswith("XIESHANG_")}}
    values["XIESHANG_DATABASE_URL"] = config.get("DATABASE_URL") or environ.get("XIESHANG_DATABASE_URL") \
        or environ.get("DATABASE_URL")
    return Settings.from_mapping(values)


def _secret_key(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
