"""Who may look at an instance."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from . import permissions
from .inbox import visible_clause
from .models import Event, Instance, OpenTask, User
from .records import Proposal

def can_view_instance(session: Session, user: User, instance: Instance) -> bool:
    if permissions.can(user, "cases.view_all") or instance.started_by_id == user.id:
        return True
    if session.scalar(select(exists().where(Event.instance_id == instance.id, Event.actor_id == user.id))):
        return True
    if session.scalar(select(exists().where(OpenTask.instance_id == instance.id, visible_clause(user)))):
        return True
    if user.unit is not None and session.scalar(select(exists().where(
            Proposal.instance_id == instance.id, Proposal.lead_unit_code == user.unit.code))):
        return True
    return False
