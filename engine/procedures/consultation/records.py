"""Planning and consultation records (P1–P7, P9): plans and their items, consultations, meetings with attendance per
person, outcomes with the leaders' instructions, implementation reports and feedback.

Kept in step with the workflows by engine/procedures/consultation/projection.py, so that reports count them with plain SQL.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class ConsultationPlan(Base):
    """年度协商计划 (P1): one per annual_plan instance."""

    __tablename__ = "consultation_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(30), default="征集议题")
    solicit_deadline: Mapped[dt.date | None]
    unreported: Mapped[list[str]] = mapped_column(default=list)  # units asked that sent nothing (未报送)
    urged_at: Mapped[dt.datetime | None]  # 催报: the solicitation's deadline passed with answers missing
    # the year's plenary session: the plan is decided before it (第9条)
    plenary_on: Mapped[dt.date | None] = mapped_column(index=True)
    topics_task_id: Mapped[str | None] = mapped_column(String(36))  # the 汇总梳理 step the topics come from
    items_task_id: Mapped[str | None] = mapped_column(String(36))  # the 联席会议 step the items come from
    returns: Mapped[int] = mapped_column(Integer, default=0)  # times the draft was sent back
    chair_meeting_on: Mapped[dt.date | None]
    standing_meeting_on: Mapped[dt.date | None]
    late_reason: Mapped[str | None] = mapped_column(Text)  # why the decision came on or after the plenary
    in_work_points: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_at: Mapped[dt.datetime | None]
    doc_no: Mapped[str | None] = mapped_column(String(60))
    issued_on: Mapped[dt.date | None]
    published_on: Mapped[dt.date | None]
    media: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None]


class PlanTopic(Base):
    """A candidate topic as compiled by the office, with where it came from."""

    __tablename__ = "consultation_plan_topics"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("consultation_plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    rationale: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(30), default="")
    proposer: Mapped[str] = mapped_column(String(100), default="")
    proposed_form: Mapped[str] = mapped_column(String(30), default="")


class PlanItem(Base):
    """A topic of the plan matched to a consultation form; once approved it is scheduled to start on its date."""

    __tablename__ = "consultation_plan_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("consultation_plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(30))
    process_key: Mapped[str | None] = mapped_column(String(100))
    planned_date: Mapped[dt.date | None]
    lead_committee: Mapped[str | None] = mapped_column(String(40))
    leaders: Mapped[str] = mapped_column(String(100), default="")
    departments: Mapped[list[str]] = mapped_column(default=list)
    sector_group: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    scheduled_start_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_starts.id", ondelete="SET NULL"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="SET NULL"), index=True)


class Consultation(Base):
    """One consultation activity (P2–P7): what was consulted, by whom, from which source, and where it stands."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), unique=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    form: Mapped[str] = mapped_column(String(30))  # 全体会议协商, 专题协商会, 对口协商 …
    number: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    path: Mapped[str | None] = mapped_column(String(30))  # 对口协商: 对口协商会议 | 征求意见 | 受邀参加部门活动
    topic_source: Mapped[str | None] = mapped_column(String(30))
    raised_by_unit: Mapped[str | None] = mapped_column(String(40))
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_plan_items.id", ondelete="SET NULL"))
    lead_committee: Mapped[str | None] = mapped_column(String(40), index=True)
    counterpart_unit: Mapped[str | None] = mapped_column(String(40), index=True)
    sector_group: Mapped[str | None] = mapped_column(String(100))
    leaders: Mapped[str] = mapped_column(String(100), default="")
    planned_date: Mapped[dt.date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(30), default="")
    opinion: Mapped[str | None] = mapped_column(Text)  # 征求意见: the committee's opinion
    adoption: Mapped[str | None] = mapped_column(String(10))  # 全部采纳 | 部分采纳 | 未采纳
    adoption_note: Mapped[str | None] = mapped_column(Text)
    converted_proposals: Mapped[int] = mapped_column(Integer, default=0)  # 界别协商: 成果转化
    converted_speeches: Mapped[int] = mapped_column(Integer, default=0)
    converted_sqmy: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class ConsultationMaterial(Base):
    """Material a department provided before a consultation (知情明政, 第18条) or for the pre-session briefing."""

    __tablename__ = "consultation_materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="协商材料")  # 协商材料 | 通报材料
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    provided_on: Mapped[dt.date | None]


class Meeting(Base):
    """A meeting or activity of a consultation: the meeting itself, the research before it, a briefing, …"""

    __tablename__ = "consultation_meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # 会议 | 调研 | 情况通报会 | 征求意见研究 | 受邀活动
    title: Mapped[str] = mapped_column(String(300), default="")
    held_on: Mapped[dt.date | None] = mapped_column(index=True)
    held_until: Mapped[dt.date | None]
    place: Mapped[str] = mapped_column(String(300), default="")
    presiding: Mapped[str] = mapped_column(String(60), default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    consensus: Mapped[str] = mapped_column(Text, default="")


class Attendance(Base):
    """One person (or one department) at a meeting: members by account with 出席/请假/缺席, others by name."""

    __tablename__ = "meeting_attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("consultation_meetings.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))  # 委员 | 党政领导 | 部门 | 部门负责同志 | 专家学者
    name: Mapped[str] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(60), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="出席")  # 出席 | 请假 | 缺席
    spoke: Mapped[bool] = mapped_column(Boolean, default=False)


class Speech(Base):
    """大会发言: a member invited to submit a speech for the plenary session, and whether it was selected."""

    __tablename__ = "plenary_speeches"
    __table_args__ = (UniqueConstraint("consultation_id", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    username: Mapped[str] = mapped_column(String(60), index=True)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    selected: Mapped[str | None] = mapped_column(String(10))  # 口头发言 | 书面发言


class Outcome(Base):
    """A consultation outcome going through P9: one per `outcome` call (call_id = the call activity's task id) or per
    directly started `outcome` instance (call_id = "main")."""

    __tablename__ = "consultation_outcomes"
    __table_args__ = (UniqueConstraint("instance_id", "call_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[str] = mapped_column(String(36))
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    source_process: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    raised_by_members: Mapped[list[str]] = mapped_column(default=list)
    raised_by_groups: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="待报送")
    doc_no: Mapped[str | None] = mapped_column(String(60))
    sent_on: Mapped[dt.date | None] = mapped_column(index=True)
    send_county: Mapped[bool] = mapped_column(Boolean, default=False)
    send_gov: Mapped[bool] = mapped_column(Boolean, default=False)
    send_units: Mapped[list[str]] = mapped_column(default=list)
    county_leader: Mapped[str | None] = mapped_column(String(60))
    county_read_on: Mapped[dt.date | None]
    gov_leader: Mapped[str | None] = mapped_column(String(60))
    gov_read_on: Mapped[dt.date | None]
    fed_back_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None]


class Instruction(Base):
    """A leader's written instruction (批示) on an outcome, and when the CPPCC office was told of it."""

    __tablename__ = "outcome_instructions"
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("consultation_outcomes.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(10))  # 县委 | 县政府
    leader: Mapped[str] = mapped_column(String(60), default="")
    instructed_on: Mapped[dt.date | None] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    impl_units: Mapped[list[str]] = mapped_column(default=list)
    impl_due: Mapped[dt.date | None]
    notified_on: Mapped[dt.date | None]  # 告知政协办公室


class Implementation(Base):
    """A department's implementation (or handling) report on an outcome, copied to the CPPCC office."""

    __tablename__ = "outcome_implementations"
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("consultation_outcomes.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(10))  # 县委批示 | 县政府批示 | 直接报送
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20))
    report: Mapped[str] = mapped_column(Text, default="")
    reported_on: Mapped[dt.date | None] = mapped_column(index=True)


class Feedback(Base):
    """The office's feedback on an outcome to one member or group who raised it."""

    __tablename__ = "outcome_feedback"
    __table_args__ = (UniqueConstraint("task_id", "recipient_kind", "recipient"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("consultation_outcomes.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    recipient_kind: Mapped[str] = mapped_column(String(10))  # 委员 | 团体
    recipient: Mapped[str] = mapped_column(String(200), index=True)  # username for members, name for groups
    method: Mapped[str] = mapped_column(String(20), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    fed_back_on: Mapped[dt.date | None]


LEADERSHIPS = ("县委", "县人大常委会", "县政府", "县人民法院", "县人民检察院")  # 第10条: attend the plenary throughout


class PlenaryLeadership(Base):
    """A county leadership (领导班子, one of LEADERSHIPS) recorded as attending the plenary session throughout."""

    __tablename__ = "plenary_leaderships"
    __table_args__ = (UniqueConstraint("meeting_id", "body"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("consultation_meetings.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[dt.date | None] = mapped_column(index=True)
