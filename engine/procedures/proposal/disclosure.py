"""公开: the proposals (and replies) the office marked for publication at archive, for anyone without a login.

Only `publish_proposal` rows are reachable; the reply class and text only where `publish_reply` is set too. What is
handed out is the proposal's text and the proposer's name — never a contact field of the roster or an account."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.procedures.proposal.statistics import year_range

from engine.errors import NotFound
from engine.i18n import N_
from engine.models import Unit, User
from engine.procedures.proposal.records import Proposal

PAGE_SIZE = 20
FEED_SIZE = 50


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    category: str = ""
    unit: str = ""  # lead unit code
    q: str = ""  # words of the number, title, content or suggestion
    page: int = 1


@dataclass(frozen=True)
class Published:
    number: str
    title: str
    category: str
    content: str
    suggestion: str
    proposer: str  # the name only
    lead_unit: str
    submitted_at: dt.datetime
    updated_at: dt.datetime  # closed (archived), else submitted
    result_class: str | None  # None unless the reply is published
    reply_text: str | None


@dataclass(frozen=True)
class Listing:
    items: list[Published]
    total: int
    page: int
    pages: int
    categories: list[str]
    units: list[Unit]
    years: list[int]


def listing(session: Session, f: Filters) -> Listing:
    where = _where(f)
    total = session.scalar(select(func.count()).select_from(Proposal).where(*where))
    pages = max(1, -(-total // PAGE_SIZE))
    current = min(max(1, f.page), pages)
    items = _published(session, _select().where(*where).order_by(Proposal.number.desc())
                       .limit(PAGE_SIZE).offset((current - 1) * PAGE_SIZE))
    categories = sorted(c for c in session.scalars(select(Proposal.category).distinct()
                                                   .where(Proposal.publish_proposal.is_(True))) if c)
    units = list(session.scalars(select(Unit).where(Unit.code.in_(
        select(Proposal.lead_unit_code).where(Proposal.publish_proposal.is_(True)).distinct())).order_by(Unit.id)))
    years = sorted({int(n[:4]) for n in session.scalars(
        select(func.substr(Proposal.number, 1, 4)).distinct().where(Proposal.publish_proposal.is_(True)))
        if n and n.isdigit()}, reverse=True)
    return Listing(items, total, current, pages, categories, units, years)


def one(session: Session, number: str) -> Published:
    found = _published(session, _select().where(Proposal.number == number, Proposal.publish_proposal.is_(True)))
    if not found:
        raise NotFound(N_("没有找到该公开提案。"))
    return found[0]


def newest(session: Session, limit: int = FEED_SIZE) -> list[Published]:
    """The latest published, newest first (the Atom feed)."""
    updated = func.coalesce(Proposal.closed_at, Proposal.submitted_at)
    return _published(session, _select().where(Proposal.publish_proposal.is_(True))
                      .order_by(updated.desc(), Proposal.number.desc()).limit(limit))


def _select():
    body = aliased(Unit)  # 集体提案: the body is the proposer, not its contact person
    return select(Proposal.number, Proposal.title, Proposal.category, Proposal.content, Proposal.suggestion,
                  func.coalesce(body.name, User.name).label("proposer"), Unit.name.label("lead_unit"),
                  Proposal.submitted_at, Proposal.closed_at, Proposal.publish_reply, Proposal.result_class,
                  Proposal.reply_text) \
        .join(User, User.id == Proposal.proposer_id).outerjoin(Unit, Unit.code == Proposal.lead_unit_code) \
        .outerjoin(body, body.code == Proposal.body_code)


def _where(f: Filters) -> list:
    where = [Proposal.publish_proposal.is_(True)]
    if f.year:
        start, end = year_range(f.year)
        where += [Proposal.submitted_at >= start, Proposal.submitted_at < end]
    if f.category:
        where.append(Proposal.category == f.category)
    if f.unit:
        where.append(Proposal.lead_unit_code == f.unit)
    for word in f.q.split()[:5]:
        where.append(or_(*(column.contains(word, autoescape=True) for column in
                           (Proposal.number, Proposal.title, Proposal.content, Proposal.suggestion))))
    return where


def _published(session: Session, query) -> list[Published]:
    return [Published(r.number, r.title, r.category, r.content, r.suggestion, r.proposer, r.lead_unit or "",
                      r.submitted_at, r.closed_at or r.submitted_at,
                      r.result_class if r.publish_reply else None, r.reply_text if r.publish_reply else None)
            for r in session.execute(query)]
