"""Shared fixtures: a fresh database per test (SQLite file, and PostgreSQL when XIESHANG_TEST_PG_URL is set)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

import engine.procedures  # noqa: F401 - the procedures register with the core, as the app and the CLI do
from sqlalchemy import text

from engine import clock, db, schema
from engine.people import demo
from engine.definitions import deploy as definitions
from engine.calendar import holidays
from engine.models import User

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
PG_URL = os.environ.get("XIESHANG_TEST_PG_URL")


def _pg_url_with_schema(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def db_url(request, tmp_path):
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'xieshang.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (XIESHANG_TEST_PG_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = db.make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield _pg_url_with_schema(schema)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def engine_(db_url):
    engine = db.make_engine(db_url)
    schema.create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine_):
    maker = db.make_sessionmaker(engine_)
    with maker() as session:
        yield session


@pytest.fixture
def deployed(session):
    """Reference data, every shipped diagram and the demo people."""
    definitions.deploy_directory(session, PROCESSES)
    demo.load_demo(session, PROCESSES)
    session.commit()
    return session


@pytest.fixture
def users(deployed):
    class Users:
        def __getattr__(self, username):
            from sqlalchemy import select

            return deployed.scalars(select(User).where(User.username == username)).one()

    return Users()


@pytest.fixture(autouse=True)
def _reset_clock():
    holidays.forget()  # each test's database starts with no holiday calendar of its own
    yield
    clock.reset()
    holidays.forget()


def pytest_generate_tests(metafunc):
    # Tests that ask for `both_backends` run on SQLite and on PostgreSQL.
    if "both_backends" in metafunc.fixturenames:
        metafunc.parametrize("db_url", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def both_backends():
    return True
