"""Typed records of P10–P14 (社情民意, 民主评议, 视察调研, 年度履职考核, 任务分工督查) kept by their projections.

Reports (五个一, attendance) read these tables with SQL, never the workflows' saved state.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base, User


class SheqingIssue(Base):
    """A numbered 政协信息 issue (e.g. 2026年第3期) into which adopted items are compiled."""

    __tablename__ = "sheqing_issues"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    compiled_at: Mapped[dt.datetime]


class SheqingItem(Base):
    """One 社情民意信息 from its submission to the feedback its submitter sees."""

    __tablename__ = "sheqing_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(30), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(30), default="待筛选")
    decision: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    edited_title: Mapped[str | None] = mapped_column(String(300))
    issue_no: Mapped[str | None] = mapped_column(String(30), index=True)
    send_to: Mapped[list[str]] = mapped_column(default=list)
    instruction: Mapped[str | None] = mapped_column(Text)
    handling: Mapped[list[Any]] = mapped_column(JSON, default=list)
    feedback: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(index=True)
    screened_at: Mapped[dt.datetime | None]
    feedback_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    submitter: Mapped[User] = relationship(lazy="joined")


class Appraisal(Base):
    """民主评议 of a department or a piece of work."""

    __tablename__ = "appraisals"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    target_unit: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(30), default="组建评议组")
    rating: Mapped[str | None] = mapped_column(String(10))
    report: Mapped[str | None] = mapped_column(Text)
    rectification: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class Inspection(Base):
    """视察 or 调研 (own topic or commissioned by 县委/政府) up to its final report."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10), default="调研")
    source: Mapped[str] = mapped_column(String(20), default="政协自选")
    status: Mapped[str] = mapped_column(String(30), default="征求意见")
    approval: Mapped[str | None] = mapped_column(String(20))
    final_report: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime]
    reported_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class Participation(Base):
    """A member's part in an activity run by P11/P12: taking part, and authoring its report (五个一 items 4 and 5)."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("instance_id", "user_id"), Index("ix_participation_user_year", "user_id", "year"))
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    process_key: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300), default="")
    year: Mapped[int] = mapped_column(Integer)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    report_author: Mapped[bool] = mapped_column(Boolean, default=False)  # on the team whose final report went out
    at: Mapped[dt.datetime]


class DutyAssessment(Base):
    """年度履职考核 of one member for one year, with the record the office compiled from the workflows."""

    __tablename__ = "duty_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(30), default="待提交履职报告")
    self_report: Mapped[str | None] = mapped_column(Text)
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    grade: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    unacknowledged: Mapped[list[str]] = mapped_column(default=list)  # told of the result, never answered (未反馈)
    closed_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    user: Mapped[User] = relationship(lazy="joined")


class DivisionTask(Base):
    """One item of the 29-task 分工方案 under supervision (任务N or 任务N(k))."""

    __tablename__ = "division_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    item_no: Mapped[str] = mapped_column(String(10), index=True)
    title: Mapped[str] = mapped_column(Text)
    lead_units: Mapped[list[str]] = mapped_column(default=list)
    participating_units: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(30), default="落实中")
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[str | None] = mapped_column(String(10))
    opinion: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None]
