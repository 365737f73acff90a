"""Typed SQLAlchemy models: definitions, instances, the inbox projection, the audit log, people and units."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from engine import clock


def _now() -> dt.datetime:
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC, returned aware, so SQLite and PostgreSQL give back the same instant."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=dt.timezone.utc) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_key", ForeignKey("roles.key", ondelete="CASCADE"), primary_key=True),
)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="dept")


class Role(Base):
    __tablename__ = "roles"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # What holders of the role may do (engine/people/permissions.py), from processes/roles.json "may".
    actions: Mapped[list[str]] = mapped_column(default=list, server_default="[]")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when an administrator gives the initial password or resets it (engine/people/accounts.py): the next page after
    # logging in is 修改密码, until the person picks a password only they know.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Kept in the session cookie at login and compared on every request (web/users.py, in the same SELECT): a new
    # stamp — at logout, a password change or reset, deactivation, a change of roles or unit — ends every session
    # that holds the old one, wherever its cookie went.
    session_stamp: Mapped[str] = mapped_column(String(32), default="", server_default="")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin")

    @property
    def role_keys(self) -> set[str]:
        return {role.key for role in self.roles}

    def has_role(self, key: str) -> bool:
        return key in self.role_keys


class ProcessVersion(Base):
    """An immutable deployed diagram with its forms pinned."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    forms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    lane_roles: Mapped[dict[str, Any]] = mapped_column(default=dict)  # lane name -> role key, pinned at deploy
    start_lane: Mapped[str | None] = mapped_column(String(60))
    dependencies: Mapped[list[str]] = mapped_column(default=list)  # version ids of called processes, pinned
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[dt.datetime] = mapped_column(default=_now)


class Instance(Base):
    __tablename__ = "instances"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    business_key: Mapped[str] = mapped_column(String(60), index=True, default="")
    # A key case (重点: a key proposal, a key research topic): the case data's `is_key`, kept at every step; lists
    # mark and filter by it without knowing the procedure.
    is_key: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    # Where the case stands in its procedure's words: the status label of its furthest open step, or of the end it
    # reached (engine/runtime/status.py), kept at every step; an owner changes it in the modeler.
    status_label: Mapped[str] = mapped_column(String(60), default="", server_default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)
    completed_at: Mapped[dt.datetime | None]
    next_timer_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(Text, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(10), default="")
    error: Mapped[str | None] = mapped_column(Text)
    message_waits: Mapped[str] = mapped_column(Text, default="[]")  # what MessageWait rows say, to skip rewrites
    audit_head: Mapped[str] = mapped_column(String(64), default="")  # hash of the newest Event of this instance
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # Deadlines its scripts counted in working days (add_working_days), as JSON: start, days, due, pending — so that
    # a change of the holiday calendar can recompute them (engine/runtime/deadlines.py).
    workday_deadlines: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    version: Mapped[ProcessVersion] = relationship(lazy="raise")
    started_by: Mapped[User | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": lock_version}


class OpenTask(Base):
    """Inbox projection: one row per READY user task, rebuilt in the transaction that changes the instance."""

    __tablename__ = "open_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    process_name: Mapped[str] = mapped_column(String(200), default="")
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(60))
    role_key: Mapped[str | None] = mapped_column(String(40), index=True)
    candidate_unit: Mapped[str | None] = mapped_column(String(40), index=True)  # unit code
    candidate_user: Mapped[str | None] = mapped_column(String(60), index=True)  # username
    form_path: Mapped[str | None] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(300), default="")
    business_key: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=_now, index=True)
    due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    # A deadline of `dueWorkingDays` working days after `created_at` (kept so that a change of the holiday calendar
    # can recompute it), and whether it was counted across a year whose holidays are not entered yet (待核定).
    due_working_days: Mapped[int | None] = mapped_column(Integer)
    due_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Work state (engine/worklist/claims.py): who took the task on, and who handed it to them to do on their behalf.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[dt.datetime | None]
    delegated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    instance: Mapped[Instance] = relationship(lazy="raise")

    # The worklist (engine/worklist/pages.py): a view is a few disjoint ranges of the first four columns (role, candidate
    # unit, candidate user, claimer), each read in due order only as far as the page reaches, and counted without
    # reading a row; the columns after `id` answer the status and process filters from the index too. The second
    # orders all open work (全部在办) by due date.
    __table_args__ = (
        Index("ix_open_tasks_worklist", "role_key", "candidate_unit", "candidate_user", "claimed_by_id", "due_at",
              "created_at", "id", "delegated_by_id", "process_key"),
        Index("ix_open_tasks_due_order", "due_at", "created_at", "id"),
    )


class Event(Base):
    """Audit log, hash-chained per instance so that an edited or removed entry shows."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(100))
    task_name: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(default=_now)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    actor: Mapped[User | None] = relationship(lazy="joined")


class MessageWait(Base):
    """An instance waiting for a message, with the correlation values it waits for (so delivery needs no scan)."""

    __tablename__ = "message_waits"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(String(100), index=True)
    correlation: Mapped[str] = mapped_column(String(200), default="", index=True)



class MessageLog(Base):
    """Every message thrown to other instances, kept so that an instance that starts waiting later still gets it."""

    __tablename__ = "message_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(String(100))
    correlation: Mapped[str] = mapped_column(String(200), default="")
    correlations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=_now)
    __table_args__ = (Index("ix_message_log_lookup", "message", "correlation"),)


class MessageReceipt(Base):
    """Which logged message an instance has already received (so it never gets the same one twice)."""

    __tablename__ = "message_receipts"
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("message_log.id", ondelete="CASCADE"), primary_key=True)


class ScheduledStart(Base):
    """An instance to start on a date (a planned consultation starts its procedure on its planned day)."""

    __tablename__ = "scheduled_starts"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100))
    start_at: Mapped[dt.datetime] = mapped_column(index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="SET NULL"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending | started | failed
    error: Mapped[str | None] = mapped_column(Text)


class Counter(Base):
    """Business numbers (2026-001 …): one row per process and year, incremented under the row lock."""

    __tablename__ = "counters"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
