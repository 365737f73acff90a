"""委员履职: 我的履职, all members' 五个一 with what each still lacks, 履职档案 export, attendance report, annual
assessments; the 分工方案 supervision board and the 社情民意 pages register on import below."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import clock
from engine.procedures.duty import report as duty
from engine.people import permissions
from engine.errors import Forbidden, NotFound
from engine.models import User
from web.db import get_session
from web.users import actor

bp = Blueprint("duty", __name__, url_prefix="/duty")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else clock.now().year


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/me")
@login_required
def me():
    me_ = actor()
    permissions.require(me_, "duty.own", _("只有政协委员有履职记录。"))
    year = _year()
    return render_template("duty/member.html", record=duty.record_for(get_session(), me_.id, year), year=year, own=True)


@bp.get("/members")
@login_required
def members():
    permissions.require(actor(), "duty.oversee", _("只有政协办公室和主席会议成员可以查看全体委员的履职情况。"))
    year = _year()
    records = duty.records(get_session(), year)
    return render_template("duty/members.html", records=records, year=year, items=duty.ITEMS,
                           lacking=sum(1 for r in records if r.missing))


@bp.get("/members/<int:user_id>")
@login_required
def member(user_id: int):
    record = duty.record_for(get_session(), _member_visible(user_id), _year())
    return render_template("duty/member.html", record=record, year=record.year, own=user_id == actor().id)


@bp.get("/members/<int:user_id>/archive.xlsx")
@login_required
def archive(user_id: int):
    from web.duty.exports import archive_workbook

    record = duty.record_for(get_session(), _member_visible(user_id), _year())
    return _xlsx(archive_workbook([record]), f"duty-{record.username}-{record.year}.xlsx")


@bp.get("/members/archive.xlsx")
@login_required
def archive_all():
    from web.duty.exports import archive_workbook

    permissions.require(actor(), "duty.oversee", _("只有政协办公室和主席会议成员可以导出全体委员的履职档案。"))
    year = _year()
    return _xlsx(archive_workbook(duty.records(get_session(), year)), f"duty-{year}.xlsx")


@bp.get("/attendance")
@login_required
def attendance():
    me_ = actor()
    unit_code = None
    if not permissions.can(me_, "duty.attendance"):
        if not permissions.can(me_, "duty.attendance_unit") or me_.unit is None:
            raise Forbidden(_("委员出席情况通报给县委组织部、统战部和委员所在单位。"))
        unit_code = me_.unit.code  # a unit sees its own members only
    year = _year()
    rows = duty.attendance(get_session(), year, unit_code)
    if request.args.get("format") == "xlsx":
        from web.duty.exports import attendance_workbook

        return _xlsx(attendance_workbook(rows), f"attendance-{year}.xlsx")
    return render_template("duty/attendance.html", rows=rows, year=year,
                           unit=me_.unit.name if unit_code and me_.unit else None)


@bp.post("/assessments")
@login_required
def start_assessments():
    permissions.require(actor(), "duty.assess", _("只有政协办公室可以启动年度考核。"))
    year = request.form.get("year", type=int) or clock.now().year
    started = duty.start_assessments(get_session(), actor(), year)
    flash(_("已为 %(n)s 位委员启动 %(year)s 年度考核", n=started, year=year), "success")
    return redirect(url_for("duty.members", year=year))


def _member_visible(user_id: int) -> int:
    me_ = actor()
    if user_id != me_.id and not permissions.can(me_, "duty.oversee"):
        raise Forbidden(_("您只能查看自己的履职记录。"))
    if get_session().get(User, user_id) is None:
        raise NotFound(_("没有找到该委员。"))
    return user_id


from web.duty import division, sheqing  # noqa: E402,F401 - routes register on import
