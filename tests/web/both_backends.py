"""One demo site per backend for a test module: SQLite (a copy of the session's demo database) and PostgreSQL (a
schema of its own, when XIESHANG_TEST_PG_URL is set). Built once per module, so its tests keep apart by the people and
addresses they use. Import the fixtures into the test module: `from .both_backends import site, site_url`."""
from __future__ import annotations

import shutil
import uuid

import pytest
from sqlalchemy import text

from engine import db as engine_db
from tests.conftest import PG_URL, _pg_url_with_schema
from web import create_app
from web.db import EXTENSION, dispose

from .conftest import build_demo_site

CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site_url(request, tmp_path_factory, demo_db_template):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("site") / "xieshang.db"
        shutil.copy(demo_db_template, path)
        yield f"sqlite:///{path}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (XIESHANG_TEST_PG_URL)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = engine_db.make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    url = _pg_url_with_schema(name)
    build_demo_site(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    admin.dispose()


def make_site(url: str, **config):
    return create_app({**CONFIG, **config, "DATABASE_URL": url})


@pytest.fixture(scope="module")
def site(site_url):
    app = make_site(site_url)
    yield app
    dispose(app)


@pytest.fixture
def site_db(site):
    """A session on the site's database, outside requests."""
    with site.extensions[EXTENSION]["sessionmaker"]() as session:
        yield session
