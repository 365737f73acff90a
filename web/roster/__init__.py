"""委员名册: members, units, sectors, committees, liaison groups and terms (admin or office), Excel import/export."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine.people import permissions, rosters
from engine.errors import NotFound
from engine.models import Unit
from engine.people.records import Member, Term
from web.db import get_session
from web.db import invalid_input
from web.i18n import N_
from web.users import actor

bp = Blueprint("roster", __name__, url_prefix="/roster")
KINDS = {"sector": N_("界别"), "committee": N_("专门委员会"), "liaison_group": N_("委员联络活动组")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBER_FIELDS = ("username", "name", "sector", "committee", "liaison_group", "unit", "term", "contact", "active")


@bp.before_request
@login_required
def _editors_only():
    permissions.require(actor(), "roster.manage", _("只有系统管理员和政协办公室可以维护委员名册。"))


@bp.get("")
def index():
    db = get_session()
    return render_template("roster/index.html", members=rosters.members(db), kinds=KINDS)


@bp.route("/members/new", methods=["GET", "POST"], defaults={"member_id": None})
@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
def member(member_id: int | None):
    db = get_session()
    found = db.get(Member, member_id) if member_id else None
    if member_id and found is None:
        raise NotFound(_("没有找到该委员。"))
    values = _member_values(found) if found else {"active": "是"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key in MEMBER_FIELDS}
        values["active"] = "是" if request.form.get("active") else "否"
        values["standing"] = "是" if request.form.get("standing") else "否"
        if found is not None:
            values["username"] = found.user.username  # the login name does not change here
        done, errors = _save(lambda: rosters.save_member(db, values, actor()), url_for("roster.index"))
        if done:
            return done
    return render_template("roster/member.html", member=found, values=values, errors=errors,
                           choices=_choices(db)), (422 if errors else 200)


@bp.route("/lists/<kind>", methods=["GET", "POST"])
def lookup(kind: str):
    if kind not in KINDS:
        raise NotFound(_("没有这种名册。"))
    db = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get("delete"):
            change = lambda: rosters.delete_lookup(db, kind, int(request.form["delete"]))  # noqa: E731
        else:
            change = lambda: rosters.save_lookup(  # noqa: E731
                db, kind, request.form.get("name", ""), request.form.get("id", type=int))
        done, errors = _save(change, url_for("roster.lookup", kind=kind))
        if done:
            return done
    return render_template("roster/lookup.html", kind=kind, title=_(KINDS[kind]), rows=rosters.lookup_rows(db, kind),
                           errors=errors), (422 if errors else 200)


@bp.route("/units", methods=["GET", "POST"])
def units():
    db = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        done, errors = _save(lambda: rosters.save_unit(db, request.form.get("code", ""), request.form.get("name", ""),
                                                       request.form.get("kind", "dept")), url_for("roster.units"))
        if done:
            return done
    rows = db.scalars(select(Unit).order_by(Unit.id)).all()
    return render_template("roster/units.html", rows=rows, kinds=rosters.UNIT_KINDS, errors=errors), (422 if errors else 200)


@bp.route("/terms", methods=["GET", "POST"])
def terms():
    db = get_session()
    errors: dict[str, str] = {}
    if request.method == "POST":
        done, errors = _save(lambda: rosters.save_term(db, request.form.get("name", ""), request.form.get("start_year"),
                                                       request.form.get("end_year")), url_for("roster.terms"))
        if done:
            return done
    rows = db.scalars(select(Term).order_by(Term.start_year)).all()
    return render_template("roster/terms.html", rows=rows, errors=errors), (422 if errors else 200)


@bp.route("/import", methods=["GET", "POST"])
def import_():
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors = {"": _("请选择要导入的 Excel 文件。")}
        else:
            with invalid_input() as invalid:
                result = rosters.import_workbook(get_session(), upload.read(), actor())
                done = "，".join(f"{sheet} {count}" for sheet, count in result.counts.items())
                flash(_("导入完成：%(done)s 行", done=done), "success")
                return redirect(url_for("roster.index"))
            errors, message = invalid.errors, invalid.message
    return render_template("roster/import.html", errors=errors, message=message,
                           sheets=rosters.SHEETS), (422 if errors else 200)


@bp.get("/export")
def export():
    data = rosters.export_workbook(get_session())
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=roster.xlsx"})


def _member_values(found: Member) -> dict:
    return {"username": found.user.username, "name": found.name, "sector": _n(found.sector),
            "committee": _n(found.committee), "liaison_group": _n(found.liaison_group),
            "unit": found.unit.code if found.unit else "", "term": _n(found.term), "contact": found.contact,
            "active": "是" if found.active else "否", "standing": "是" if found.standing else "否"}


def _n(row) -> str:
    return row.name if row is not None else ""


def _choices(db) -> dict:
    return {"sector": [r.name for r in rosters.lookup_rows(db, "sector")],
            "committee": [r.name for r in rosters.lookup_rows(db, "committee")],
            "liaison_group": [r.name for r in rosters.lookup_rows(db, "liaison_group")],
            "unit": [(u.code, u.name) for u in db.scalars(select(Unit).order_by(Unit.id))],
            "term": [t.name for t in db.scalars(select(Term).order_by(Term.start_year))]}


def _save(action, target: str):
    """Run one roster change: (redirect, {}) on success, (None, field errors) when refused."""
    with invalid_input() as invalid:
        action()
        flash(_("已保存"), "success")
        return redirect(target), {}
    return None, invalid.errors


from web.roster import bodies as _bodies  # noqa: E402,F401 - routes register on import
from web.roster import sessions as _sessions  # noqa: E402,F401 - routes register on import
