"""答复函: the handling unit's reply to a proposal as a printable letter, for members who do not go online."""
from __future__ import annotations

import re

from flask import render_template
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import NotFound
from engine.models import Instance, Unit
from engine.procedures.proposal.records import Proposal
from web.db import get_session
from web.display import readable
from web.instances import bp, viewable
from web.lookups import version_forms

RESULT_TITLES = {"A": "A 已解决或采纳", "B": "B 正在解决或列入计划", "C": "C 因条件限制暂不能解决"}


def _proposal(db: Session, instance: Instance) -> Proposal | None:
    if instance.process_key != "proposal":
        return None
    return db.scalars(select(Proposal).where(Proposal.instance_id == instance.id)).first()


def letter_available(db: Session, instance: Instance) -> bool:
    proposal = _proposal(db, instance)
    return proposal is not None and bool(proposal.reply_text)


def plain_name(name: str) -> str:
    """张明（委员） → 张明: the demo directory adds the role in brackets; a letter addresses the person."""
    return re.sub(r"[（(][^）)]*[）)]\s*$", "", name or "").strip()


def chinese_date(moment) -> str:
    local = moment.astimezone(clock.TZ) if moment.tzinfo else moment
    return f"{local.year}年{local.month}月{local.day}日"


def _result_title(db: Session, instance: Instance, code: str | None) -> str:
    for schema in version_forms(db, instance.version_id):
        prop = (schema.get("properties") or {}).get("result_class")
        if prop:
            return readable(prop, code)
    return RESULT_TITLES.get(code or "", code or "")


@bp.get("/<int:instance_id>/reply-letter")
@login_required
def reply_letter(instance_id: int):
    db = get_session()
    instance = viewable(db, instance_id)
    proposal = _proposal(db, instance)
    if proposal is None or not proposal.reply_text:
        raise NotFound(_("该事项还没有办理答复，暂无答复函。"))
    unit = db.scalar(select(Unit).where(Unit.code == proposal.lead_unit_code)) if proposal.lead_unit_code else None
    co_units = [name for name in db.scalars(select(Unit.name).where(Unit.code.in_(proposal.co_units or [])))]
    when = proposal.replied_at or proposal.closed_at or clock.now()
    body = db.scalar(select(Unit.name).where(Unit.code == proposal.body_code)) if proposal.body_code else None
    return render_template(
        "instances/reply_letter.html", instance=instance, proposal=proposal, unit=unit, co_units=co_units,
        proposer=plain_name(proposal.proposer.name if proposal.proposer else ""), body=body,
        signer=plain_name(proposal.signer.name) if proposal.signer else "",
        date=chinese_date(when), result=_result_title(db, instance, proposal.result_class),
        paragraphs=[p.strip() for p in proposal.reply_text.splitlines() if p.strip()],
        content=[p.strip() for p in (proposal.content or "").splitlines() if p.strip()],
        suggestion=[p.strip() for p in (proposal.suggestion or "").splitlines() if p.strip()])
