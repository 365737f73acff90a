"""Who may look at an instance."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine import registry
from engine.models import Event, Instance, OpenTask, User
from engine.people import permissions
from engine.worklist.inbox import visible_clause


def can_view_instance(session: Session, user: User, instance: Instance) -> bool:
    if permissions.can(user, "cases.view_all") or instance.started_by_id == user.id:
        return True
    if session.scalar(select(exists().where(Event.instance_id == instance.id, Event.actor_id == user.id))):
        return True
    if session.scalar(select(exists().where(OpenTask.instance_id == instance.id, visible_clause(user)))):
        return True
    return any(rule(session, user, instance) for rule in registry.get().view_rules)  # e.g. a proposal's lead unit
