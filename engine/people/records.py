"""Rosters: members of the CPPCC and what they are grouped by (sector, committee, liaison group, term)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base, Unit, User


class Sector(Base):
    """界别."""

    __tablename__ = "sectors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Committee(Base):
    """专门委员会."""

    __tablename__ = "committees"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class LiaisonGroup(Base):
    """委员联络活动组 (members grouped by sector and residence)."""

    __tablename__ = "liaison_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class Term(Base):
    """届次, e.g. 第十届 2022–2026; the fifth 五个一 item is counted over a term's years."""

    __tablename__ = "terms"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)


class Member(Base):
    """A CPPCC member, linked one-to-one to the user who logs in with role `member`."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id"), index=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    liaison_group_id: Mapped[int | None] = mapped_column(ForeignKey("liaison_groups.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # 工作单位
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"), index=True)
    contact: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    standing: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # 政协常委
    user: Mapped[User] = relationship(lazy="joined")
    sector: Mapped[Sector | None] = relationship(lazy="joined")
    committee: Mapped[Committee | None] = relationship(lazy="joined")
    liaison_group: Mapped[LiaisonGroup | None] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    term: Mapped[Term | None] = relationship(lazy="joined")


class LoginFailure(Base):
    """A wrong password or unknown username at login, kept a day: login throttling counts them per username and per
    client address (engine/people/throttle.py), in the database so that every worker process sees the same count."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(60), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
