"""A case's own records beside its workflow: the opinion log, attachments, and form drafts of open tasks."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine import clock
from engine.models import Base, User


def _now() -> dt.datetime:
    return clock.now()


class Opinion(Base):
    """意见 (anyone who may view the case) or 批示 (a leader's instruction), in the order written."""

    __tablename__ = "case_opinions"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="opinion")  # opinion | instruction
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=_now)
    author: Mapped[User] = relationship(lazy="joined")


class Attachment(Base):
    """A file of a case. The bytes live once per content hash in the file store; rows may share them."""

    __tablename__ = "case_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    extension: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(100))  # the form field it was uploaded for, if any
    task_id: Mapped[str | None] = mapped_column(String(36))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=_now)
    uploaded_by: Mapped[User] = relationship(lazy="joined")


class TaskDraft(Base):
    """What someone typed into an open task's form without submitting it. The row goes with the open task
    (ON DELETE CASCADE), so completing the task discards every draft of it."""

    __tablename__ = "task_drafts"
    task_id: Mapped[str] = mapped_column(ForeignKey("open_tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[dt.datetime] = mapped_column(default=_now)
