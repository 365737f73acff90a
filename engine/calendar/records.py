"""节假日安排: the official holidays and adjusted working weekends of each year, as the office entered them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base, _now

KINDS = {"holiday": "放假", "workday": "调休上班"}


class HolidayYear(Base):
    """One year of the calendar. `origin` says whether it came from the library (seeded) or the office;
    `revision` grows with every change of any year, so a process can tell that its copy is old."""

    __tablename__ = "holiday_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200), default="")  # e.g. 国办发明电〔2026〕12号
    origin: Mapped[str] = mapped_column(String(20), default="office")  # office | library
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ranges: Mapped[list["HolidayRange"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="HolidayRange.start_date")


class HolidayRange(Base):
    """A run of days of one kind: 放假 (holiday) or 调休上班 (an adjusted working weekend)."""

    __tablename__ = "holiday_ranges"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("holiday_years.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    name: Mapped[str] = mapped_column(String(40), default="")  # 春节
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
