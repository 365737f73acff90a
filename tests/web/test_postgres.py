"""The pages on PostgreSQL (JSON casts, timestamps with time zone); runs when XIESHANG_TEST_PG_URL is set."""
from __future__ import annotations

import pytest

from engine import db as engine_db, schema
from engine.definitions import deploy as definitions
from engine.people import demo, directory as reference
from web import create_app
from web.db import EXTENSION, dispose

from .conftest import PROCESSES, Auth
from .helpers import ACCEPT, OVERSEE, REPLY_A, SIGN, SUBMIT, do, open_steps, submit, text, to_accept

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(db_url):
    engine = engine_db.make_engine(db_url)
    schema.create_schema(engine)
    with engine_db.make_sessionmaker(engine)() as session:
        reference.load_units(session, PROCESSES)
        demo.load_demo(session, PROCESSES)
        definitions.deploy_directory(session, PROCESSES)
        session.commit()
    engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "pg", "WTF_CSRF_ENABLED": False, "DATABASE_URL": db_url})
    yield app
    dispose(app)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_pages_on_postgres(pg_app):
    client = pg_app.test_client()
    auth = Auth(client)
    with pg_app.extensions[EXTENSION]["sessionmaker"]() as db:
        instance_id = to_accept(auth, client, db)
        submit(auth, client, "member3", cosigners=["member1"], title="关于改善乡村道路的建议")
        do(auth, client, db, "czj_clerk", instance_id, "accept", ACCEPT)
        do(auth, client, db, "czj_clerk", instance_id, "handle", REPLY_A)
        do(auth, client, db, "czj_leader", instance_id, "sign_off", SIGN)
        do(auth, client, db, "zhuxi", instance_id, "oversight_review", OVERSEE)
        assert open_steps(db, instance_id) == ["lead_meeting", "satisfaction"]
    auth.as_("member1")
    page = text(client.get("/proposals"))
    assert SUBMIT["title"] in page and "关于改善乡村道路的建议" in page and "联名" in page
    page = text(client.get(f"/instances/{instance_id}"))
    assert "答复类别 A 已解决或采纳" in page and "主办单位 县财政局" in page
    assert "满意度评价" in text(client.get("/inbox"))
