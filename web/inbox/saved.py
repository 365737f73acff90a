"""Saved worklist views: save the current filters and sort under a name, share with my unit or a role, delete."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.worklist import saved_views as savedviews, pages as worklist
from web.db import get_session
from web.inbox import bp
from web.users import actor


@bp.post("/inbox/views")
@login_required
def save_view():
    filters = worklist.Filters.parse(request.form)
    view = savedviews.save(get_session(), actor(), request.form.get("name", ""), filters,
                           share_unit=request.form.get("share_unit") == "1",
                           share_role=request.form.get("share_role", ""))
    flash(_("视图“%(name)s”已保存。", name=view.name), "success")
    return redirect(url_for("inbox.index", saved=view.id))


@bp.post("/inbox/views/<int:view_id>/delete")
@login_required
def delete_view(view_id: int):
    savedviews.delete(get_session(), actor(), view_id)
    flash(_("视图已删除。"), "success")
    return redirect(url_for("inbox.index"))
