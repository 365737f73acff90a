"""What the core asks of proposals: the handling unit may view its proposals, and a form field may name a proposal
still open (并案 into it)."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine import registry
from engine.models import Instance, User
from engine.procedures.proposal import numbering
from engine.procedures.proposal.records import Proposal

PROCESS_KEYS = ("proposal",)


def _lead_unit_views(session: Session, user: User, instance: Instance) -> bool:
    return user.unit is not None and bool(session.scalar(select(exists().where(
        Proposal.instance_id == instance.id, Proposal.lead_unit_code == user.unit.code))))


def _open_proposal(session: Session, value, instance: Instance | None) -> str | None:
    """None when `value` numbers a proposal still running that can take others (并案), else why not."""
    row = session.execute(select(Proposal.instance_id, Proposal.decision, Instance.status)
                          .join(Instance, Instance.id == Proposal.instance_id)
                          .where(Proposal.number == str(value))).first()
    if (row is None or row.status != "running" or row.decision in ("不立案", "并案")
            or (instance is not None and row.instance_id == instance.id)):
        return f"编号 {value} 的提案不存在、已办结或本身已并案，不能并入"
    return None


def _starter(actor: User) -> dict:
    return {"proposer": actor.username, "proposer_name": actor.name}


def register() -> None:
    registry.add_view_rule(_lead_unit_views)
    registry.add_reference_check("proposal", _open_proposal)
    registry.add_numbering("proposal", numbering.number)  # per session once the office has opened one
    for key in PROCESS_KEYS + ("sheqing",):  # both diagrams name their starter 提案人 / 反映人 `proposer`
        registry.add_start_data(key, _starter)
