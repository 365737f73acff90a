"""Process owners' working copies: a diagram and its forms between edits in the browser, before they are deployed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, _now


class DraftDiagram(Base):
    """The diagram a process owner is editing; `key` is the process id it deploys as (or, for a diagram that cannot
    run, the name it was imported under)."""

    __tablename__ = "draft_diagrams"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    bpmn_xml: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int | None]  # the deployed version this copy started from
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)


class DraftForm(Base):
    """A form schema of a working copy, by the path the diagram's `formJsonSchemaFilename` names."""

    __tablename__ = "draft_forms"
    __table_args__ = (UniqueConstraint("draft_key", "path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_key: Mapped[str] = mapped_column(ForeignKey("draft_diagrams.key", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(200))
    schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)
