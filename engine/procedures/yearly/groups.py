"""A form field with `x-widget: liaison_group` names a 委员联络活动组 of the roster (by name), never free text."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import registry
from engine.i18n import N_
from engine.people.records import LiaisonGroup


def _liaison_group(session: Session, value, _instance) -> str | None:
    if session.scalar(select(LiaisonGroup.id).where(LiaisonGroup.name == str(value))) is None:
        return N_("委员名册中没有委员联络活动组“%(value)s”", value=value)
    return None


def register() -> None:
    registry.add_reference_check("liaison_group", _liaison_group)
