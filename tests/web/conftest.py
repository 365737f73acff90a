"""Flask test fixtures: one demo database built per test session, copied for each test."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import has_request_context, request
from sqlalchemy import event, select

from engine import db as engine_db, schema
from engine.definitions import deploy as definitions
from engine.people import demo, directory as reference
from web import create_app
from web.db import EXTENSION, dispose

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
PASSWORD = demo.DEMO_PASSWORD


def build_demo_db(path: Path) -> None:
    build_demo_site(f"sqlite:///{path}")


def build_demo_site(url: str) -> None:
    """Tables, roles, units, the demo people and the shipped procedures in the database at `url`."""
    engine = engine_db.make_engine(url)
    try:
        schema.create_schema(engine)
        with engine_db.make_sessionmaker(engine)() as session:
            reference.load_roles(session, PROCESSES)
            reference.load_units(session, PROCESSES)
            demo.load_demo(session, PROCESSES)
            definitions.deploy_directory(session, PROCESSES)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    build_demo_db(path)
    return path


@pytest.fixture
def app_config() -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False}


@pytest.fixture
def app(demo_db_template, tmp_path, app_config):
    path = tmp_path / "xieshang.db"
    shutil.copy(demo_db_template, path)
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{path}"})
    writes = _record_get_writes(app)
    yield app
    dispose(app)
    assert not writes, "GET requests wrote to the database:\n" + "\n".join(writes)


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _record_get_writes(app) -> list[str]:
    """Every statement that changes the database while a GET (or HEAD) request runs: GET pages only read."""
    writes: list[str] = []

    @event.listens_for(app.extensions[EXTENSION]["engine"], "before_cursor_execute")
    def _check(_conn, _cursor, statement, _params, _context, _many):
        if has_request_context() and request.method in ("GET", "HEAD") \
                and statement.lstrip().upper().startswith(WRITES):
            writes.append(f"{request.method} {request.full_path}: {statement.split(chr(10))[0][:120]}")

    return writes


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """A separate session on the app's database, to arrange and inspect state outside requests."""
    with app.extensions[EXTENSION]["sessionmaker"]() as session:
        yield session


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")

    def as_(self, username: str):
        self.logout()
        response = self.login(username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return self


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def user(db):
    from engine.models import User

    def get(username: str):
        return db.scalars(select(User).where(User.username == username)).one()  # the caller commits

    return get
