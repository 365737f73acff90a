"""The case page: diagram with progress, history, data entered so far, opinion log, attachments; its diagram XML."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases import access, attachments, history, opinions
from engine.errors import Forbidden, NotFound
from engine.models import Instance, OpenTask, ProcessVersion, User
from web.db import get_session, invalid_input
from web.instances.casedata import CaseData, rich_entry
from web.users import actor

bp = Blueprint("instances", __name__, url_prefix="/instances")
PROGRESS_KINDS = ("start", "complete")  # audit events that say a step of the diagram was done


def viewable(db: Session, instance_id: int) -> Instance:
    instance = db.get(Instance, instance_id)
    if instance is None:
        raise NotFound(_("没有找到该事项。"))
    if not access.can_view_instance(db, actor(), instance):
        raise Forbidden(_("您无权查看该事项。"))
    return instance


def progress(events: list, open_tasks: list) -> tuple[list[str], list[str]]:
    """(completed, active) BPMN ids: done steps from the audit log, waiting ones from the inbox projection."""
    active = sorted({t.bpmn_id for t in open_tasks})
    done = sorted({e.bpmn_id for e in events if e.kind in PROGRESS_KINDS and e.bpmn_id} - set(active))
    return done, active


@bp.get("/<int:instance_id>")
@login_required
def detail(instance_id: int):
    return _render(get_session(), viewable(get_session(), instance_id))


def _render(db: Session, instance: Instance, opinion_text: str = "", opinion_kind: str = "opinion",
            errors: dict[str, str] | None = None) -> Any:
    events = history.events_for(db, instance.id)
    case = CaseData(db, instance, events)
    open_tasks = db.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)
                            .order_by(OpenTask.created_at)).all()
    done, active = progress(events, open_tasks)
    starter = db.get(User, instance.started_by_id) if instance.started_by_id else None
    timeline = [(event, case.entries(event.data or {}) if event.kind in PROGRESS_KINDS else [])
                for event in events]
    from web.instances.letter import letter_available

    return render_template(
        "instances/detail.html", instance=instance, starter=starter, open_tasks=open_tasks, timeline=timeline,
        entered=case.rounds(), files=case.files, opinions=opinions.for_instance(db, instance.id),
        attachments=attachments.for_instance(db, instance.id), done=done, active=active,
        opinion_kinds=opinions.kinds_for(actor()), opinion_text=opinion_text, opinion_kind=opinion_kind,
        errors=errors or {}, letter=letter_available(db, instance),
        unit_name=lambda code: case.name_of("unit", code), user_name=lambda name: case.name_of("member", name),
    ), (422 if errors else 200)


@bp.get("/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int):
    db = get_session()
    instance = viewable(db, instance_id)
    xml = db.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == instance.version_id))
    response = Response(xml, mimetype="application/xml")
    response.headers["Cache-Control"] = "private, max-age=3600"  # a version's diagram never changes
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:instance_id>/opinions")
@login_required
def add_opinion(instance_id: int):
    db = get_session()
    instance = viewable(db, instance_id)
    kind, text = request.form.get("kind", "opinion"), request.form.get("text", "")
    with invalid_input() as invalid:
        opinions.add(db, actor(), instance, kind, text)
        flash(_("批示已记录") if kind == "instruction" else _("意见已记录"), "success")
        return redirect(url_for("instances.detail", instance_id=instance_id, _anchor="opinions"))
    return _render(db, viewable(db, instance_id), text, kind, invalid.errors)


@bp.app_template_global()
def case_entry(instance_id: Any, key: str):
    """Used by _form.html's read-only block: a group as a table, a file field as links (None: plain text)."""
    db = get_session()
    instance = db.get(Instance, instance_id) if instance_id else None
    return rich_entry(db, instance, key) if instance is not None else None


from web.instances import letter  # noqa: E402,F401 - registers the reply letter route
