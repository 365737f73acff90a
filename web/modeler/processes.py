"""发起事项: the procedures a user may start, and a generic start page built from the start event's form."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.definitions import deploy as definitions
from web.db import get_session
from web.starting import start_page
from web.users import actor

from . import processes_bp as bp


@bp.get("")
@login_required
def index():
    return render_template("modeler/processes.html", versions=definitions.startable_processes(get_session(), actor()))


@bp.route("/<key>/start", methods=["GET", "POST"])
@login_required
def start(key: str):
    name = definitions.latest_version(get_session(), key).name
    return start_page(key, template="modeler/start.html", refused=_("您没有发起“%(name)s”的权限。", name=name),
                      done=_("已发起"), next_url=lambda instance: url_for("instances.detail", instance_id=instance.id))
