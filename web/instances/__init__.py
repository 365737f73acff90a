"""Instance detail: title, status, history with readable data, open steps."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine import access, history
from engine.errors import Forbidden, NotFound
from engine.models import Instance, OpenTask, User
from web.db import get_session
from web.display import items, properties_of
from web.lookups import name_lookup, version_forms
from web.users import actor

bp = Blueprint("instances", __name__, url_prefix="/instances")


@bp.get("/<int:instance_id>")
@login_required
def detail(instance_id: int):
    db = get_session()
    instance = db.get(Instance, instance_id)
    if instance is None:
        raise NotFound(_("没有找到该事项。"))
    if not access.can_view_instance(db, actor(), instance):
        raise Forbidden(_("您无权查看该事项。"))
    props = properties_of(version_forms(db, instance.version_id))
    name_of = name_lookup(db)
    events = [(event, items(event.data or {}, props, name_of=name_of))
              for event in history.events_for(db, instance.id)]
    open_tasks = db.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)
                            .order_by(OpenTask.created_at)).all()
    starter = db.get(User, instance.started_by_id) if instance.started_by_id else None
    return render_template("instances/detail.html", instance=instance, events=events, open_tasks=open_tasks,
                           starter=starter, unit_name=lambda code: name_of("unit", code),
                           user_name=lambda username: name_of("member", username))
