"""The office's own thresholds for the obligations (where the seed sets no number, or the office wants more): kept in
the database, logged, and applied over the catalogue's defaults."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock
from engine.errors import FormInvalid
from engine.i18n import N_
from engine.models import Base, User, _now
from engine.people import permissions
from engine.runtime import audit

LOG_KINDS = ("obligation_threshold",)


class ObligationThreshold(Base):
    __tablename__ = "obligation_thresholds"
    obligation_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    threshold: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)


def current(session: Session) -> dict[str, float]:
    return dict(session.execute(select(ObligationThreshold.obligation_id, ObligationThreshold.threshold)).all())


def change(session: Session, actor: User, obligation, value: str) -> float:
    """Set the office's threshold of `obligation`: a count (0 or more) or, for a share, a percentage 1–100."""
    permissions.require(actor, "board.manage", N_("只有政协办公室和系统管理员可以调整考核标准。"))
    share = obligation.measure.get("kind") == "share"
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        number = -1
    if share and not 1 <= number <= 100 or not share and not (0 <= number <= 1000 and number == int(number)):
        raise FormInvalid({"threshold": N_("比例请填 1—100 之间的百分数。") if share else N_("次数请填 0 或正整数。")})
    threshold = number / 100 if share else number
    row = session.get(ObligationThreshold, obligation.id) or ObligationThreshold(obligation_id=obligation.id)
    old = row.threshold if row.threshold is not None else obligation.threshold
    row.threshold, row.updated_by_id, row.updated_at = threshold, actor.id, clock.now()
    session.add(row)
    audit.record_log(session, LOG_KINDS, "obligation_threshold", actor,
                     {"obligation": obligation.id, "from": old, "to": threshold})
    return threshold
