"""完整性检查: administrators see when every audit chain was last verified and what was found, and run it now."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import integrity
from engine.errors import Forbidden
from engine.people import permissions
from web.db import get_session
from web.users import actor

bp = Blueprint("integrity", __name__, url_prefix="/integrity")


@bp.before_request
@login_required
def _administrators_only():
    if not permissions.can(actor(), "audit.verify"):
        raise Forbidden(_("只有系统管理员可以查看审计记录的完整性检查。"))


@bp.get("")
def index():
    checks = integrity.latest(get_session())
    return render_template("integrity/index.html", checks=checks, last=checks[0] if checks else None,
                           logs=integrity.LOG_NAMES, reasons=integrity.REASONS)


@bp.post("")
def run():
    check = integrity.run(get_session(), "page")
    if check.ok:
        flash(_("检查完毕：%(chains)s 条记录链、%(events)s 条记录均完好。", chains=check.chains, events=check.events),
              "success")
    else:
        flash(_("检查发现 %(n)s 处问题，详见下表。", n=len(check.broken)), "error")
    return redirect(url_for("integrity.index"))  # committed as the request ends
