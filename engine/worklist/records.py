"""Worklist tables: saved views, the notification centre, reminders already sent, the mail outbox."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, Event, _now


class SavedView(Base):
    """A named worklist filter and sort, kept on the server; shared with a unit and/or a role if the owner says so."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)  # worklist.Filters.saved()
    shared_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    shared_role_key: Mapped[str | None] = mapped_column(ForeignKey("roles.key", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)


class Notification(Base):
    """One line in a person's notification centre. The text is drawn from `kind` where it is shown (any language)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_inbox", "user_id", "read_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # see notifications.SUBJECTS
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    task_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    number: Mapped[str] = mapped_column(String(60), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who caused it
    due_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    read_at: Mapped[dt.datetime | None]


class ReminderSent(Base):
    """A due-date reminder already sent for a task (one per task and kind, whatever the number of ticks)."""

    __tablename__ = "reminders_sent"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # due_soon | overdue
    at: Mapped[dt.datetime] = mapped_column(default=_now)


class NotificationSetting(Base):
    """Where a person wants their notifications mailed (nothing is mailed without an address and consent)."""

    __tablename__ = "notification_settings"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class OutboxMail(Base):
    """Mail waiting to be sent after the transaction that wrote it has committed (engine/worklist/mailer.py)."""

    __tablename__ = "outbox_mail"
    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]


# 已办 reads the audit log by actor; this keeps it an index range scan.
Index("ix_events_actor_kind_at", Event.actor_id, Event.kind, Event.at)
