"""The opinion log of a case: 意见 from anyone who may view it, 批示 from leaders only. Audited."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases import access
from engine.runtime import audit
from engine.people import permissions
from engine.errors import Forbidden, FormInvalid
from engine.models import Instance, User
from engine.cases.records import Opinion
from engine.i18n import N_

KINDS = {"opinion": "意见", "instruction": "批示"}
MAX_LENGTH = 2000


def kinds_for(user: User) -> list[str]:
    """The kinds of entry this user may write."""
    return list(KINDS) if permissions.can(user, "opinions.instruct") else ["opinion"]


def add(session: Session, actor: User, instance: Instance, kind: str, text: str) -> Opinion:
    if not access.can_view_instance(session, actor, instance):
        raise Forbidden(N_("您无权查看该事项，不能发表意见。"))
    if kind not in KINDS:
        raise FormInvalid({"kind": N_("请选择意见或批示")})
    if kind not in kinds_for(actor):
        raise Forbidden(N_("只有党政领导可以作出批示。"))
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise FormInvalid({"text": N_("此项必填")})
    if len(text) > MAX_LENGTH:
        raise FormInvalid({"text": N_("内容过长（最多 %(MAX_LENGTH)s 字）", MAX_LENGTH=MAX_LENGTH)})
    row = Opinion(instance_id=instance.id, kind=kind, text=text, author_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, instance, "opinion", actor, data={"opinion": row.id, "kind": kind, "text": text})
    session.flush()
    return row


def for_instance(session: Session, instance_id: int) -> list[Opinion]:
    return list(session.scalars(select(Opinion).where(Opinion.instance_id == instance_id).order_by(Opinion.id)))
