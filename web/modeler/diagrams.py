"""The modeler page and its JSON endpoints: working copy in and out, validate, deploy; new from template; import."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from lxml import etree

from engine.definitions import deploy as definitions, fixups, importing, working_copies as drafts
from engine.errors import DeployError, XieshangError
from engine.definitions.records import DraftDiagram
from engine.models import Instance, Role
from web.db import get_session, invalid_input, keep_writes
from web.i18n import translated
from web.users import actor

from . import bp

MAX_UPLOAD = drafts.MAX_BYTES


@bp.get("")
def index():
    db = get_session()
    deployed = {v.process_key: v for v in definitions.latest_versions(db)}
    working = {d.key: d for d in drafts.drafts(db)}
    running = dict(db.execute(select(Instance.process_key, func.count()).where(Instance.status == "running")
                              .group_by(Instance.process_key)).all())
    keys = sorted(set(deployed) | set(working))
    roles = list(db.execute(select(Role.key, Role.name).order_by(Role.key)))
    return render_template("modeler/index.html", keys=keys, deployed=deployed, working=working, running=running,
                           roles=roles, office=drafts.OFFICE)


@bp.post("/new")
def new():
    with invalid_input(XieshangError) as invalid:
        draft = drafts.create(get_session(), request.form.get("key", ""), request.form.get("name", ""), actor(),
                              request.form.get("starter"), request.form.get("handler"))
        return redirect(url_for("modeler.edit", key=draft.key))
    flash(invalid.message, "error")
    return redirect(url_for("modeler.index"))


@bp.post("/import")
def upload():
    """Read the upload and show what importing it would do; nothing is written until the owner confirms."""
    upload = request.files.get("file")
    raw = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not raw or len(raw) > MAX_UPLOAD:
        flash(_("请选择一个不超过 5 MB 的 .bpmn 或 .zip 文件。"), "error")
        return redirect(url_for("modeler.index"))
    extra = [(picked.filename or "", picked.read(MAX_UPLOAD + 1)) for picked in request.files.getlist("forms")
             if picked and picked.filename]
    with invalid_input(XieshangError) as invalid:
        db = get_session()
        found = importing.read(raw, upload.filename or "", extra)
        planned = importing.plan(db, found, importing.suggest_key(db, found))
        return render_template("modeler/import.html", plan=planned, forms_json=_forms_json(found))
    flash(invalid.message, "error")
    return redirect(url_for("modeler.index"))


@bp.post("/import/confirm")
def import_confirm():
    db = get_session()
    with invalid_input(XieshangError) as invalid:
        try:
            picked = json.loads(request.form.get("forms") or "{}")
        except ValueError:
            picked = {}
        extra = [(path, json.dumps(schema).encode("utf-8")) for path, schema in picked.items()
                 if isinstance(picked, dict) and isinstance(schema, dict)]
        found = importing.read((request.form.get("xml") or "").encode("utf-8"), "", extra)
        planned = importing.plan(db, found, request.form.get("key", ""))
        if planned.replaces and request.form.get("replace") != "yes":
            return render_template("modeler/import.html", plan=planned, forms_json=_forms_json(found),
                                   ask=True), 409
        draft = importing.apply(db, planned, actor(), confirmed=True)
        flash(_("已导入，可在下方查看和修改；点击“校验”查看能否发布。"), "success")
        return redirect(url_for("modeler.edit", key=draft.key))
    flash(invalid.message, "error")
    return redirect(url_for("modeler.index"))


def _forms_json(found) -> str:
    return json.dumps(found.forms, ensure_ascii=False)


@bp.get("/<key>")
def edit(key: str):
    db = get_session()
    draft = drafts.get(db, key)  # the latest version until the owner changes something
    roles = [{"key": k, "name": n} for k, n in db.execute(select(Role.key, Role.name).order_by(Role.key))]
    config = {
        "key": key, "locale": str(get_locale() or "zh_CN"), "csrf": generate_csrf(), "roles": roles,
        "urls": {"xml": url_for("modeler.xml", key=key), "save": url_for("modeler.save", key=key),
                 "validate": url_for("modeler.validate", key=key), "deploy": url_for("modeler.deploy", key=key),
                 "formEdit": url_for("modeler.form_edit", key=key), "fixups": url_for("modeler.apply_fixups", key=key)},
        "messages": {"opened": _("流程图已打开。"),
                     "importFailed": _("流程图无法打开："), "validating": _("正在校验……"), "deploying": _("正在发布……"),
                     "failed": _("操作失败，请稍后再试。"), "fixesHeading": _("可自动修正："),
                     "applyFixes": _("应用所选修正"), "laneRole": _("泳道“%(name)s”对应的角色", name="%(name)s"),
                     "unnamedLane": _("未命名的泳道"), "newLaneRole": _("新泳道的角色"), "applying": _("正在修正……"),
                     "warnings": _("（打开时有 %(n)s 条提示，见下方列表）", n="%(n)s")},
        "importNotes": {
            "unparsable": _("第 %(line)s 行第 %(column)s 列有无法识别的内容 %(what)s：已跳过。", line="%(line)s",
                            column="%(column)s", what="%(what)s"),
            "unresolved": _("引用了图中不存在的元素 %(what)s：该引用已忽略。", what="%(what)s"),
            "attribute": _("不认识的属性 %(what)s：已忽略（保存时会保留）。", what="%(what)s"),
            "multipleDi": _("元素%(what)s有多个图形：只显示第一个。", what="%(what)s"),
            "noElement": _("图形 %(what)s 没有对应的流程元素：不显示。", what="%(what)s"),
            "notDrawn": _("元素%(what)s还没有画出，引用它的连线不显示。", what="%(what)s"),
            "unknownDi": _("元素%(what)s的图形类型与元素不符：不显示。", what="%(what)s"),
            "attached": _("边界事件%(what)s没有附着在任何活动上：不显示。", what="%(what)s"),
            "plane": _("图面没有指明画的是哪个流程：已按第一个流程显示。"),
            "unrecognized": _("不支持的元素%(what)s：不显示。", what="%(what)s"),
            "noRef": _("连线%(what)s缺少起点或终点：不显示。", what="%(what)s"),
            "other": _("其他提示：%(what)s", what="%(what)s"),
        },
    }
    stored = db.get(DraftDiagram, key) is not None  # looking writes nothing: no working copy until a change
    return render_template("modeler/edit.html", draft=draft, config=config, deployed=draft.base_version, stored=stored)


@bp.get("/<key>/diagram.bpmn")
def xml(key: str):
    db = get_session()
    draft = drafts.get(db, key)
    return Response(draft.bpmn_xml, mimetype="application/xml")


def _posted_xml() -> str:
    body: Any = request.get_json(silent=True) or {}
    xml = body.get("xml") if isinstance(body, dict) else None
    if not isinstance(xml, str) or not xml.strip():
        raise XieshangError(_("没有收到流程图。"))
    return xml


@bp.post("/<key>/save")
def save(key: str):
    drafts.save(get_session(), key, _posted_xml(), actor())
    return jsonify(message=_("已保存工作稿（尚未发布）。"))


@bp.post("/<key>/validate")
def validate(key: str):
    db = get_session()
    xml = _posted_xml()
    drafts.save(db, key, xml, actor())
    _checked, problems = drafts.validate(db, key)
    message = _("校验通过，没有发现问题，可以发布。") if not problems else _("发现 %(n)d 个问题：", n=len(problems))
    return jsonify(message=message, problems=[_problem(p) for p in problems], fixes=_fixes(db, xml) if problems else [])


def _fixes(db, xml: str) -> list[dict]:
    try:
        offered = fixups.offer(xml, set(definitions.role_names(db)))
    except etree.XMLSyntaxError:
        return []
    return [{"kind": f.kind, "message": translated(f.message), "elements": f.elements, "lanes": f.lanes}
            for f in offered]


@bp.post("/<key>/fixups")
def apply_fixups(key: str):
    """The diagram with the chosen fix-ups applied; the page opens it and saves it as the working copy."""
    db = get_session()
    drafts.get(db, key)
    body: Any = request.get_json(silent=True) or {}
    kinds = {k for k in body.get("kinds") or [] if isinstance(k, str)}
    lanes = {str(k): str(v) for k, v in (body.get("lanes") or {}).items()} if isinstance(body.get("lanes"), dict) else {}
    roles = set(definitions.role_names(db))
    if any(role not in roles for role in lanes.values()) or (body.get("role") and body.get("role") not in roles):
        return jsonify(error=_("请为每条泳道选择一个已有的角色。")), 422
    try:
        xml = fixups.apply(_posted_xml(), kinds, lanes, body.get("role") or None)
    except etree.XMLSyntaxError:
        return jsonify(error=_("流程图不是有效的 XML，未修改。")), 422
    drafts.save(db, key, xml, actor())
    return jsonify(xml=xml, message=_("已应用所选修正并保存工作稿；请再次校验。"))


@bp.post("/<key>/deploy")
def deploy(key: str):
    db = get_session()
    with invalid_input(DeployError) as invalid:
        version = drafts.deploy(db, key, actor(), _posted_xml())
        return jsonify(message=_("已发布“%(name)s”第 %(n)d 版。新发起的事项使用新版本，正在办理的事项仍按原版本办理。",
                                 name=version.name, n=version.version), version=version.version)
    drafts.save(db, key, _posted_xml(), actor())  # keep the edits even though they cannot go live yet
    keep_writes()
    problems = [_problem(p) for p in invalid.error.problems]
    return jsonify(error=_("未发布：发现 %(n)d 个问题，请先修改。", n=len(problems)), problems=problems), 422


def _problem(problem) -> dict:
    return {"element_id": problem.element_id, "message": translated(problem.message)}


@bp.post("/<key>/discard")
def discard(key: str):
    deployed = drafts.discard(get_session(), key)
    if deployed:
        flash(_("已放弃工作稿中的修改，重新从最新发布的版本开始。"), "success")
        return redirect(url_for("modeler.edit", key=key))
    flash(_("已删除未发布的工作稿。"), "success")
    return redirect(url_for("modeler.index"))
