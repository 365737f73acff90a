"""Versions: list with who and when, download, a semantic diff, restore an old one; migrating running instances."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from engine.definitions import moving as migration, versions
from engine.models import Instance
from web.db import get_session
from web.users import actor

from . import bp


@bp.get("/<key>/versions")
def history(key: str):
    db = get_session()
    rows = versions.history(db, key)
    running = dict(db.execute(select(Instance.version_id, func.count()).where(
        Instance.process_key == key, Instance.status == "running").group_by(Instance.version_id)).all())
    return render_template("modeler/versions.html", key=key, rows=rows, running=running, name=rows[0][0].name)


@bp.get("/<key>/versions/<int:number>.bpmn")
def download(key: str, number: int):
    version = versions.get(get_session(), key, number)
    return Response(version.bpmn_xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{key}-v{number}.bpmn"'})


@bp.get("/<key>/diff")
def diff(key: str):
    db = get_session()
    latest = versions.history(db, key)[0][0]
    new = versions.get(db, key, request.args.get("b", latest.version, type=int))
    old = versions.get(db, key, request.args.get("a", max(new.version - 1, 1), type=int))
    return render_template("modeler/diff.html", key=key, old=old, new=new, changes=versions.diff(old, new),
                           numbers=[v.version for v, _user in versions.history(db, key)])


@bp.post("/<key>/versions/<int:number>/restore")
def restore(key: str, number: int):
    version = versions.restore(get_session(), key, number, actor())
    flash(_("已将第 %(old)d 版恢复为第 %(new)d 版。", old=number, new=version.version), "success")
    return redirect(url_for("modeler.history", key=key))


@bp.get("/<key>/migrate")
def migrate_preview(key: str):
    db = get_session()
    target = migration.target_version(db, key, request.args.get("to", type=int))
    candidates = migration.preview(db, key, target)
    return render_template("modeler/migrate.html", key=key, target=target, candidates=candidates)


@bp.post("/<key>/migrate")
def migrate(key: str):
    db = get_session()
    target = migration.target_version(db, key, request.form.get("to", type=int))
    chosen = {int(value) for value in request.form.getlist("instance") if value.isdigit()}
    report = migration.migrate(db, key, actor(), target, chosen)
    return render_template("modeler/migrated.html", key=key, report=report, target=target)
