"""流程设计: process owners edit diagrams and forms in the browser, validate, deploy, compare and restore versions,
and move running instances to a new version; plus 发起事项, the generic start page for every deployed procedure."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from engine.people import permissions
from web.users import login_manager

bp = Blueprint("modeler", __name__, url_prefix="/modeler")
processes_bp = Blueprint("processes", __name__, url_prefix="/processes")


@bp.before_request
def _process_owners_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    permissions.require(current_user, "modeler.use", _("只有流程管理员可以编辑、发布或迁移流程。"))
    return None

from . import diagrams, form_editor, processes, versions  # noqa: E402,F401  (routes register on import)

__all__ = ["bp", "processes_bp"]
