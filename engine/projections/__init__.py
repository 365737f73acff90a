"""Domain records kept in step with workflows, in the same transaction; one module per procedure."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Instance, User
from . import proposal

PROJECTORS = {"proposal": proposal.project}


def apply(session: Session, instance: Instance, workflow, data: dict, *, kind: str, actor: User | None) -> None:
    projector = PROJECTORS.get(instance.process_key)
    if projector is not None:
        projector(session, instance, workflow, data, kind=kind, actor=actor)
