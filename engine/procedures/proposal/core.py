"""What the core asks of proposals: the handling unit may view its proposals, and a form field may name a proposal
still open (并案 into it)."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine import registry
from engine.models import Instance, Role, Unit, User
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


# 重点提案: the 领办 leader is a county government leader (role 党政领导 in a government unit), the 督办 leader the
# CPPCC chair or a vice chair (role 主席), both active accounts of the roster.
LEADER_KINDS = {"gov_leader": ("leader", "gov"), "cppcc_leader": ("chair", None)}


def leaders(session: Session, kind: str) -> list[tuple[str, str]]:
    """(username, name) of the people a key proposal may name as its 领办 (gov_leader) or 督办 (cppcc_leader) leader."""
    role, unit_kind = LEADER_KINDS[kind]
    query = select(User.username, User.name).join(User.roles).where(Role.key == role, User.active.is_(True))
    if unit_kind:
        query = query.join(Unit, Unit.id == User.unit_id).where(Unit.kind == unit_kind)
    return [tuple(row) for row in session.execute(query.order_by(User.username))]


def _leader_check(kind: str):
    def check(session: Session, value, instance: Instance | None) -> str | None:
        role, unit_kind = LEADER_KINDS[kind]  # the one person named, not the whole list
        query = select(User.id).join(User.roles).where(User.username == str(value), Role.key == role,
                                                         User.active.is_(True))
        if unit_kind:
            query = query.join(Unit, Unit.id == User.unit_id).where(Unit.kind == unit_kind)
        if session.scalar(query.limit(1)) is not None:
            return None
        if kind == "gov_leader":
            return f"{value} 不是在任的县政府领导，不能领办重点提案"
        return f"{value} 不是在任的政协主席、副主席，不能督办重点提案"
    return check


def _starter(actor: User) -> dict:
    return {"proposer": actor.username, "proposer_name": actor.name}


def register() -> None:
    registry.add_view_rule(_lead_unit_views)
    registry.add_reference_check("proposal", _open_proposal)
    registry.add_numbering("proposal", numbering.number)  # per session once the office has opened one
    for kind in LEADER_KINDS:
        registry.add_reference_check(kind, _leader_check(kind))
    for key in PROCESS_KEYS + ("sheqing",):  # both diagrams name their starter 提案人 / 反映人 `proposer`
        registry.add_start_data(key, _starter)
