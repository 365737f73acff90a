"""Tamper evidence, checked: every audit chain — each instance's, and each log that belongs to no instance (accounts,
the holiday calendar, the board's thresholds) — verified in one pass, and each run kept with what it found, for
`xieshang verify`, the nightly tick and the administrators' page."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock
from engine.board import thresholds
from engine.calendar import holidays
from engine.i18n import N_
from engine.models import Base, Event, Instance
from engine.people import accounts
from engine.runtime import audit

# Each log of no instance: its name for people, and the event kinds that make up its chain.
LOGS: dict[str, tuple[str, ...]] = {
    "accounts": accounts.KINDS,
    "holidays": holidays.LOG_KINDS,
    "thresholds": thresholds.LOG_KINDS,
}
LOG_NAMES = {"accounts": N_("账号记录"), "holidays": N_("节假日安排记录"), "thresholds": N_("看板标准调整记录")}
REASONS = {
    "edited": N_("记录内容被改动"),
    "link": N_("前后记录衔接不上（有记录被删除或调换了顺序）"),
    "head": N_("末尾的记录被删除"),
    "unknown": N_("记录不属于任何已知的日志"),
}
NIGHTLY_AFTER = dt.time(2, 0)  # the tick's check runs once a day, in the quiet hours


class IntegrityCheck(Base):
    """One run of the check: when, how much it read, and each broken chain with its first broken event."""

    __tablename__ = "integrity_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column()
    trigger: Mapped[str] = mapped_column(String(20))  # command, tick, page
    chains: Mapped[int] = mapped_column(default=0)
    events: Mapped[int] = mapped_column(default=0)
    broken: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    @property
    def ok(self) -> bool:
        return not self.broken


@dataclass(frozen=True)
class Finding:
    chain: str  # "instance" or a key of LOGS
    instance_id: int | None
    event_id: int | None
    reason: str  # a key of REASONS


def run(session: Session, trigger: str) -> IntegrityCheck:
    """Verify every chain and keep the run (the caller commits)."""
    findings: list[Finding] = []
    chains = events = 0
    heads = dict(session.execute(select(Instance.id, Instance.audit_head)).all())
    current: int | None = None
    batch: list[Event] = []

    def close() -> None:
        if current is not None:
            found = audit.first_break(batch, heads.pop(current, ""))
            if found:
                findings.append(Finding("instance", current, found[0].id if found[0] else None, found[1]))

    rows = session.scalars(select(Event).where(Event.instance_id.is_not(None))
                           .order_by(Event.instance_id, Event.id).execution_options(yield_per=2000))
    for event in rows:
        events += 1
        if event.instance_id != current:
            close()
            chains += 1
            current, batch = event.instance_id, []
        batch.append(event)
    close()
    for instance_id, head in heads.items():  # instances whose every event was removed
        chains += 1
        if head:
            findings.append(Finding("instance", instance_id, None, "head"))
    known: set[str] = set()
    for name, kinds in LOGS.items():
        chains += 1
        known.update(kinds)
        found = audit.log_break(session, kinds)
        if found:
            findings.append(Finding(name, None, found[0].id if found[0] else None, found[1]))
    strays = session.scalars(select(Event.id).where(Event.instance_id.is_(None), Event.kind.not_in(known))
                             .order_by(Event.id).limit(20)).all()
    findings += [Finding("log", None, event_id, "unknown") for event_id in strays]
    events += session.scalar(select(func.count()).select_from(Event).where(Event.instance_id.is_(None))) or 0
    check = IntegrityCheck(at=clock.now(), trigger=trigger, chains=chains, events=events,
                           broken=[finding.__dict__ for finding in findings])
    session.add(check)
    session.flush()
    return check


def latest(session: Session, limit: int = 10) -> list[IntegrityCheck]:
    return list(session.scalars(select(IntegrityCheck).order_by(IntegrityCheck.id.desc()).limit(limit)))


def due(session: Session, now: dt.datetime | None = None) -> bool:
    """Whether the tick should run the nightly check: past the quiet hour and not yet run since it today."""
    now = (now or clock.now()).astimezone(clock.TZ)
    if now.time() < NIGHTLY_AFTER:
        return False
    since = dt.datetime.combine(now.date(), NIGHTLY_AFTER, tzinfo=clock.TZ)
    last = session.scalar(select(IntegrityCheck.at).order_by(IntegrityCheck.id.desc()).limit(1))
    return last is None or last.astimezone(clock.TZ) < since
