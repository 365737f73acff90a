"""The migrations alone build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import inspect, text

from engine import db, schema


def test_migrations_build_the_models_schema(db_url, both_backends):
    engine = db.make_engine(db_url)
    try:
        schema.upgrade(engine, fresh_from_migrations=True)
        assert schema.differences(engine) == [], "a model changed without a migration: python -m engine.schema"
    finally:
        engine.dispose()


def test_a_new_database_is_stamped_and_upgrading_again_changes_nothing(db_url):
    engine = db.make_engine(db_url)
    try:
        schema.create_schema(engine)
        with engine.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            tables = set(inspect(conn).get_table_names())
        schema.create_schema(engine)
        assert head and {"instances", "open_tasks", "proposals"} <= tables
        assert schema.differences(engine) == []
    finally:
        engine.dispose()


def test_a_database_made_before_migrations_is_adopted_when_it_matches(db_url):
    from engine.models import Base

    engine = db.make_engine(db_url)
    try:
        Base.metadata.create_all(engine)
        schema.create_schema(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()
