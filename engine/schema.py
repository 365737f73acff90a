"""The database schema, versioned with Alembic (engine/migrations/versions/).

A new, empty database gets every table at once and is stamped with the newest revision; an existing one is upgraded
revision by revision. A model change therefore needs a migration: tests/engine/test_schema.py fails without one.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from engine import tables  # noqa: F401 - every table joins the metadata
from engine.models import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, *, fresh_from_migrations: bool = False) -> None:
    """Bring the database to the newest revision. `fresh_from_migrations` runs every migration even on an empty
    database (the schema test uses it to prove the migrations alone build the models' schema)."""
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        config = _config(connection)
        if not tables and not fresh_from_migrations:
            Base.metadata.create_all(connection)
            command.stamp(config, "head")
        elif tables and "alembic_version" not in tables:
            # Made by create_all before migrations existed: adopt it only if it already matches the models.
            drift = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                     Base.metadata)
            if drift:
                raise RuntimeError("数据库结构早于当前版本且没有迁移记录：请备份后重建数据库（make clean 后 make run）。")
            command.stamp(config, "head")
        else:
            command.upgrade(config, "head")


def create_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    upgrade(engine)


def differences(engine: Engine) -> list:
    """What the models say that the database lacks (empty when migrations and models agree)."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for the model changes (developers: `python -m engine.schema "what changed"`)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)


if __name__ == "__main__":
    import sys

    from engine.db import make_engine

    new_revision(make_engine(), " ".join(sys.argv[1:]) or "schema change")
