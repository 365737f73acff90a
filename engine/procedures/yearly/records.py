"""Records of the yearly sub-plans and of the county's duties, kept by engine/procedures/yearly/projection.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class YearPlan(Base):
    """界别年度活动计划 (kind 界别活动, one per sector_plan instance) or 年度视察工作计划 (kind 视察, inspection_plan)."""

    __tablename__ = "year_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # 界别活动 | 视察
    number: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    sector_group: Mapped[str | None] = mapped_column(String(60), index=True)  # a liaison group of the roster
    status: Mapped[str] = mapped_column(String(30), default="")
    returns: Mapped[int] = mapped_column(Integer, default=0)
    decided_on: Mapped[dt.date | None]
    approved_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    created_at: Mapped[dt.datetime]


class YearPlanItem(Base):
    """An activity or inspection of a sub-plan; once the plan is approved it is scheduled to start on its date."""

    __tablename__ = "year_plan_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("year_plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # 界别协商会 | 座谈会 | 专题调研 | 视察 | 调研
    process_key: Mapped[str] = mapped_column(String(100))
    planned_date: Mapped[dt.date | None]
    lead_committee: Mapped[str | None] = mapped_column(String(40))
    scheduled_start_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_starts.id", ondelete="SET NULL"))


class CountyEvent(Base):
    """What 县委 and 县政府 owe the CPPCC, as it happened: CPPCC leaders at their meetings (第18条), the 政协工作会议
    (第30条, once a term at least) and the standing committee hearing the party group (任务27(3))."""

    __tablename__ = "county_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(index=True)
    leaders: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_unit: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime]
