"""Typed domain records that reports and lists read, kept in step with the workflows by projections."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base, User


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_key_year", "is_key", "submitted_at"),)  # a year's 重点提案
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(30), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # 集体提案: the body on the roster (a unit code, engine/people/bodies.py) that is the proposer; proposer_id is then its
    # contact person, who submitted it and evaluates the reply for it. None: a member's own (or joint) proposal.
    body_code: Mapped[str | None] = mapped_column(String(40), index=True)
    # The session (会议届次) it was submitted in, numbered in its run, and 会议期间 / 闭会期间 by the day it was submitted;
    # None before the office opened a session (then the number is the year's).
    session_id: Mapped[int | None] = mapped_column(ForeignKey("plenary_sessions.id"), index=True)
    period: Mapped[str | None] = mapped_column(String(10))
    cosigners: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(30), default="待审查")
    decision: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    face_to_face: Mapped[bool] = mapped_column(Boolean, default=False)
    merge_into: Mapped[str | None] = mapped_column(String(30))
    lead_unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    co_units: Mapped[list[str]] = mapped_column(default=list)
    result_class: Mapped[str | None] = mapped_column(String(2))
    reply_text: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(10))  # 办理结果 (the last evaluation)
    contact_date: Mapped[dt.date | None]  # 面对面办理: the day the unit met the proposer
    meeting_attendees: Mapped[str | None] = mapped_column(Text)  # 面对面办理: who attended
    # 重点提案 (任务14(4)): the county government leader who leads it (领办) and the CPPCC chair or vice chair who
    # supervises it (督办); the 领办（面商）会 the leader convened; the 督办 leader's review of the reply
    lead_leader: Mapped[str | None] = mapped_column(String(60))
    oversight_leader: Mapped[str | None] = mapped_column(String(60))
    lead_meeting_on: Mapped[dt.date | None]
    lead_meeting_units: Mapped[list[str]] = mapped_column(default=list)
    lead_meeting_proposer: Mapped[bool | None] = mapped_column(Boolean)
    lead_meeting_note: Mapped[str | None] = mapped_column(Text)
    oversight_reviewed_at: Mapped[dt.datetime | None]  # the 督办 leader agreed to the reply going to the proposer
    oversight_returns: Mapped[int] = mapped_column(default=0)  # replies the 督办 leader sent back
    satisfaction_work: Mapped[str | None] = mapped_column(String(10))  # 办理工作: 联系沟通、办理态度 (the last evaluation)
    contact_method: Mapped[str | None] = mapped_column(String(10))  # how the unit met the proposer (面对面 → 面办率)
    publish_proposal: Mapped[bool] = mapped_column(Boolean, default=False)
    publish_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(index=True)  # the proposal's year, for statistics
    assigned_at: Mapped[dt.datetime | None]
    # 签收: the end of the 7-working-day return window of the assignment the lead unit accepted, and when it accepted
    # (or the window passed: 逾期视为签收).
    accept_due: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    # 答复期限 of the current (or last) handling round: the diagram's deadline, or the date 督办 agreed to extend it to.
    reply_due: Mapped[dt.datetime | None]
    replied_at: Mapped[dt.datetime | None] = mapped_column(index=True)  # the first reply reached the proposer (signed off, and reviewed if key)
    # 签发: the unit leader who signed the (last) reply off, and when; the reply letter names them
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime | None]
    first_reply_due: Mapped[dt.datetime | None]  # reply_due when the first reply came (按期答复)
    rehandled_at: Mapped[dt.datetime | None]  # 不满意 sent the proposal back to its unit (重新办理)
    closed_at: Mapped[dt.datetime | None] = mapped_column(index=True)  # archived (归档), a B reply's 回头看 may still follow
    # 回头看 of a B reply (正在解决或列入计划): when the unit reports, what it reported (已解决/仍在推进/无法解决), when
    followup_due: Mapped[dt.datetime | None]
    followup_result: Mapped[str | None] = mapped_column(String(10))
    followup_text: Mapped[str | None] = mapped_column(Text)
    followup_reported_at: Mapped[dt.datetime | None]
    proposer: Mapped[User] = relationship(lazy="joined", foreign_keys=[proposer_id])
    signer: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[signer_id])
    signers: Mapped[list["ProposalCosigner"]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class ProposalCosigner(Base):
    """An invited co-signer (联名) and whether they confirmed; 五个一 counts only confirmed ones. A member named as an
    author (执笔) of a collective proposal is a row with status `author`: not asked, counted for their 五个一."""

    __tablename__ = "proposal_cosigners"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(10), default="invited")  # invited | agreed | declined | author
