"""Alembic environment: runs on the connection engine.schema hands over (no alembic.ini, no URL here)."""
from alembic import context

from engine import tables  # noqa: F401 - every table joins the metadata
from engine.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
