"""五个一: what each member did in a year (and a term), computed from what the workflows recorded — never typed in.

1 参加全体会议   attendance (出席) at a meeting of the plenary session (P2) that year
2 提交提案       a proposal as proposer or co-signer (P8) submitted that year; a collective proposal (集体提案) counts
                 only for the members named as its authors (执笔), not for the body's contact person who submitted it
3 报送社情民意   a 社情民意信息 (P10) submitted that year
4 参加政协活动   attendance at any other meeting or activity (P3–P7), or taking part in 民主评议 / 视察调研 (P11, P12)
5 大会发言或调研视察报告 (per term)  a plenary speech submitted (P2), or being on the team of a 视察调研 whose final
                 report went out (P12), in any year of the member's term
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import Conflict, NotFound
from engine.models import Role, User
from engine.procedures.consultation.records import Attendance, Consultation, Meeting, Speech
from engine.people.records import Member, Term
from engine.procedures.proposal.records import Proposal, ProposalCosigner
from engine.procedures.supervision.records import Participation, SheqingItem
from engine.i18n import N_

PLENARY = "plenary"
MEETING_KINDS = {PLENARY: "全体会议", "topical_meeting": "常委会会议"}  # attendance by the kind of meeting
ITEMS = [  # key, label, what is required
    ("plenary", "参加全体会议", "每年参加全体会议"),
    ("proposal", "提交提案", "每年至少提交一件提案（领衔或联名）"),
    ("sheqing", "报送社情民意", "每年至少报送一件社情民意信息"),
    ("activity", "参加政协活动", "每年至少参加一次政协组织的活动"),
    ("speech_or_report", "大会发言或调研视察报告", "每届至少提交一件大会发言材料或一份调研视察报告"),
]


@dataclass
class Item:
    key: str
    label: str
    requirement: str
    evidence: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.evidence)

    @property
    def met(self) -> bool:
        return self.count > 0


@dataclass
class DutyRecord:
    user_id: int
    username: str
    name: str
    year: int
    term: str
    sector: str
    unit: str
    items: list[Item]
    standing: bool = False  # 政协常委: standing-committee meetings are theirs to attend, others attend as guests

    @property
    def missing(self) -> list[str]:
        return [item.label for item in self.items if not item.met]

    @property
    def complete(self) -> bool:
        return not self.missing

    def item(self, key: str) -> Item:
        return next(item for item in self.items if item.key == key)

    def as_dict(self) -> dict:
        return {"year": self.year, "term": self.term, "missing": self.missing,
                "items": {i.key: {"label": i.label, "count": i.count, "evidence": i.evidence} for i in self.items}}


def _bounds(first_year: int, last_year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(first_year, 1, 1, tzinfo=clock.TZ)
    return start, dt.datetime(last_year + 1, 1, 1, tzinfo=clock.TZ)


def _people(session: Session, user_ids: list[int] | None) -> list[tuple[User, Member | None]]:
    query = (select(User, Member).join(User.roles).outerjoin(Member, Member.user_id == User.id)
             .where(Role.key == "member", User.active.is_(True)).order_by(User.username))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    return [(user, member) for user, member in session.execute(query).unique().all()
            if member is None or member.active]


def records(session: Session, year: int, user_ids: list[int] | None = None) -> list[DutyRecord]:
    """The 五个一 record of every active member (or of `user_ids`) for `year`; a handful of queries in all."""
    people = _people(session, user_ids)
    if not people:
        return []
    ids = [user.id for user, _m in people]
    names = {user.username: user.id for user, _m in people}
    evidence: dict[tuple[int, str], list[str]] = {}

    def add(user_id: int | None, key: str, text: str) -> None:
        if user_id is not None:
            evidence.setdefault((user_id, key), []).append(text)

    start, end = _bounds(year, year)
    day0, day1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    meetings = session.execute(
        select(Attendance.username, Meeting.process_key, Meeting.title, Meeting.held_on, Consultation.title)
        .join(Meeting, Meeting.id == Attendance.meeting_id).join(Consultation, Consultation.id == Meeting.consultation_id)
        .where(Attendance.username.in_(list(names)), Attendance.status == "出席",
               Meeting.held_on >= day0, Meeting.held_on <= day1)
        .order_by(Meeting.held_on))
    for username, process_key, title, held_on, consultation in meetings:
        text = f"{held_on:%Y-%m-%d} {title or consultation}"
        add(names.get(username), "plenary" if process_key == PLENARY else "activity", text)
    for user_id, title, at in session.execute(
            select(Participation.user_id, Participation.title, Participation.at)
            .where(Participation.user_id.in_(ids), Participation.attended.is_(True), Participation.year == year)):
        add(user_id, "activity", f"{clock_date(at)} {title}")

    for proposer_id, number, title in session.execute(
            select(Proposal.proposer_id, Proposal.number, Proposal.title)
            .where(Proposal.submitted_at >= start, Proposal.submitted_at < end, Proposal.proposer_id.in_(ids),
                   Proposal.body_code.is_(None))):
        add(proposer_id, "proposal", f"{number} {title}（领衔）")
    for username, number, title, status in session.execute(  # co-signers once they confirmed; named authors
            select(ProposalCosigner.username, Proposal.number, Proposal.title, ProposalCosigner.status)
            .join(Proposal, Proposal.id == ProposalCosigner.proposal_id)
            .where(Proposal.submitted_at >= start, Proposal.submitted_at < end,
                   ProposalCosigner.username.in_(list(names)), ProposalCosigner.status.in_(("agreed", "author")))):
        add(names[username], "proposal", f"{number} {title}（{'联名' if status == 'agreed' else '集体提案执笔'}）")
    for user_id, number, title in session.execute(
            select(SheqingItem.submitter_id, SheqingItem.number, SheqingItem.title)
            .where(SheqingItem.submitter_id.in_(ids), SheqingItem.submitted_at >= start, SheqingItem.submitted_at < end)):
        add(user_id, "sheqing", f"{number} {title}")

    term_years = {user.id: _term_years(member, year) for user, member in people}
    first, last = min(y[0] for y in term_years.values()), max(y[1] for y in term_years.values())
    t0, t1 = _bounds(first, last)
    for user_id, title, at in session.execute(
            select(Participation.user_id, Participation.title, Participation.at)
            .where(Participation.user_id.in_(ids), Participation.report_author.is_(True),
                   Participation.year >= first, Participation.year <= last)):
        if term_years[user_id][0] <= at.astimezone(clock.TZ).year <= term_years[user_id][1]:
            add(user_id, "speech_or_report", f"调研视察报告：{title.split('：', 1)[-1]}")
    for username, title, started_at in session.execute(
            select(Speech.username, Speech.title, Consultation.started_at)
            .join(Consultation, Consultation.id == Speech.consultation_id)
            .where(Speech.username.in_(list(names)), Speech.submitted.is_(True),
                   Consultation.started_at >= t0, Consultation.started_at < t1)):
        user_id = names[username]
        if term_years[user_id][0] <= started_at.astimezone(clock.TZ).year <= term_years[user_id][1]:
            add(user_id, "speech_or_report", f"大会发言：{title}")

    result = []
    for user, member in people:
        items = [Item(key, label, requirement, evidence.get((user.id, key), [])) for key, label, requirement in ITEMS]
        result.append(DutyRecord(
            user_id=user.id, username=user.username, name=user.name, year=year,
            term=member.term.name if member is not None and member.term is not None else "",
            sector=member.sector.name if member is not None and member.sector is not None else "",
            unit=member.unit.name if member is not None and member.unit is not None else "", items=items,
            standing=bool(member is not None and member.standing)))
    return result


def record_for(session: Session, user_id: int, year: int) -> DutyRecord:
    found = records(session, year, [user_id])
    if found:
        return found[0]
    user = session.get(User, user_id)
    return DutyRecord(user_id, user.username if user else "", user.name if user else "", year, "", "", "",
                      [Item(key, label, requirement) for key, label, requirement in ITEMS])


def clock_date(moment: dt.datetime) -> str:
    return moment.astimezone(clock.TZ).strftime("%Y-%m-%d")


def _term_years(member: Member | None, year: int) -> tuple[int, int]:
    term: Term | None = member.term if member is not None else None
    if term is None or not term.start_year <= year <= term.end_year:
        return year, year  # no term on the roster: only the year itself counts
    return term.start_year, term.end_year


def attendance(session: Session, year: int, unit_code: str | None = None) -> list[dict]:
    """Members' attendance of meetings and activities in `year` (出席, 请假, 缺席), for 组织部, 统战部 and the
    members' own units; `unit_code` keeps only members working in that unit."""
    members = {m.user.username: m for m in session.scalars(select(Member))}
    if unit_code is not None:
        members = {u: m for u, m in members.items() if m.unit is not None and m.unit.code == unit_code}
    rows = []
    if not members:
        return rows
    day0, day1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for username, status, process_key, title, held_on, consultation in session.execute(
            select(Attendance.username, Attendance.status, Meeting.process_key, Meeting.title, Meeting.held_on,
                   Consultation.title)
            .join(Meeting, Meeting.id == Attendance.meeting_id).join(Consultation, Consultation.id == Meeting.consultation_id)
            .where(Attendance.username.in_(list(members)), Meeting.held_on >= day0, Meeting.held_on <= day1)):
        rows.append(_row(members[username], held_on.isoformat(), MEETING_KINDS.get(process_key, "会议活动"),
                         title or consultation, status))
    by_id = {m.user_id: m for m in members.values()}
    for user_id, attended, title, at in session.execute(
            select(Participation.user_id, Participation.attended, Participation.title, Participation.at)
            .where(Participation.user_id.in_(list(by_id)), Participation.year == year)):
        rows.append(_row(by_id[user_id], clock_date(at), title.split("：", 1)[0], title.split("：", 1)[-1],
                         "出席" if attended else "缺席"))
    rows.sort(key=lambda r: (r["date"], r["name"]))
    return rows


def _row(member: Member, date: str, kind: str, title: str, status: str) -> dict:
    return {"date": date, "name": member.name, "username": member.user.username,
            "unit": member.unit.name if member.unit else "", "sector": member.sector.name if member.sector else "",
            "kind": kind, "title": title, "status": status, "standing": "常委" if member.standing else "委员"}




def start_assessment(session: Session, actor: User, username: str, year: int):
    """Start 年度履职考核 for one member; the member's work unit comes from the roster."""
    from engine.runtime import verbs as runtime
    from engine.procedures.supervision.records import DutyAssessment

    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(N_("找不到委员 %(username)s。", username=username))
    if session.scalar(select(DutyAssessment.id).where(DutyAssessment.user_id == user.id, DutyAssessment.year == year)):
        raise Conflict(N_("%(name)s 的 %(year)s 年度考核已经启动。", name=user.name, year=year))
    member = session.scalar(select(Member).where(Member.user_id == user.id))
    data = {"member": username, "year": year}
    if member is not None and member.unit is not None:
        data["member_unit"] = member.unit.code
    return runtime.start_instance(session, actor, "duty_assessment", data)


def start_assessments(session: Session, actor: User, year: int) -> int:
    """Start the year's assessment for every active member who has none yet; returns how many were started."""
    from engine.procedures.supervision.records import DutyAssessment

    done = set(session.scalars(select(DutyAssessment.user_id).where(DutyAssessment.year == year)))
    started = 0
    for user, _member in _people(session, None):
        if user.id not in done:
            start_assessment(session, actor, user.username, year)
            started += 1
    return started
