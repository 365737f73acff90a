"""节假日安排: the office keeps each year's holidays and adjusted working weekends (admin and office), Excel in and out."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.calendar import notice as holiday_notice, sheets as holiday_sheets, holidays, workdays
from engine.errors import Forbidden, NotFound
from engine.calendar.records import KINDS
from web.db import get_session, invalid_input
from web.users import actor

bp = Blueprint("holidays", __name__, url_prefix="/holidays")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BLANK_ROWS = 4  # empty lines under a year's ranges, for adding some without a script


@bp.before_request
@login_required
def _managers_only():
    if not holidays.may_manage(actor()):
        raise Forbidden(_("只有系统管理员和政协办公室可以维护节假日安排。"))


@bp.get("")
def index():
    db = get_session()
    holidays.refresh(db)
    return render_template("holidays/index.html", years=holidays.years(db), missing=holidays.missing_next_year(),
                           log=holidays.history(db)[:20], errors={}, message="")


@bp.get("/open")
def open_year():
    number = request.args.get("year", "")
    if not number.isdigit() or not holidays.FIRST_YEAR <= int(number) <= holidays.LAST_YEAR:
        flash(_("年份应为 %(first)s—%(last)s 之间的四位数字。", first=holidays.FIRST_YEAR, last=holidays.LAST_YEAR),
              "error")
        return redirect(url_for("holidays.index"))
    return redirect(url_for("holidays.year", year=int(number)))


@bp.route("/<int:year>", methods=["GET", "POST"])
def year(year: int):
    if not holidays.FIRST_YEAR <= year <= holidays.LAST_YEAR:
        raise NotFound(_("没有这一年。"))
    db = get_session()
    entry = holidays.year(db, year)
    if request.method == "POST":
        source, rows = request.form.get("source", ""), _rows(request.form)
        with invalid_input() as invalid:
            saved = holidays.save_year(db, actor(), year, source, rows)
            flash(_("%(year)s 年节假日安排已保存；%(n)s 个在办事项的期限已按新安排重新计算。", year=year,
                    n=saved.recomputed), "success")
            return redirect(url_for("holidays.index"))  # committed as the request ends
        holidays.refresh(db, force=True)  # count again with the calendar as it stands
        return _edit(year, entry, source, rows, invalid.errors, invalid.message), 422
    if entry is not None:
        source = entry.source
        rows = [{"kind": r.kind, "name": r.name, "start": r.start_date.isoformat(), "end": r.end_date.isoformat()}
                for r in entry.ranges]
    else:  # a year not entered yet: what the library knows of it, if anything, to start from
        source = holidays.LIBRARY_SOURCE if year in workdays.LIBRARY_YEARS else ""
        rows = [{"kind": r.kind, "name": r.name, "start": r.start.isoformat(), "end": r.end.isoformat()}
                for r in holidays.library_ranges(year)]
    return _edit(year, entry, source, rows, {}, "")


@bp.post("/<int:year>/notice")
def notice(year: int):
    """The office pasted the State Council notice: the rows it gives, for checking before saving (nothing saved)."""
    if not holidays.FIRST_YEAR <= year <= holidays.LAST_YEAR:
        raise NotFound(_("没有这一年。"))
    text = request.form.get("notice", "")
    reading = holiday_notice.read(text, year)
    errors = {f"line-{n}": _("未能识别：%(line)s", line=line) for n, line in enumerate(reading.unread)}
    if not reading.rows:
        errors.setdefault("notice", _("没有识别出放假或上班的日期。请粘贴通知中“一、元旦：……”这样的各行。"))
    message = _("以下各行未能识别，请在表中补录：") if reading.rows else _("未能识别通知内容。")
    return render_template("holidays/year.html", year=year, entry=holidays.year(get_session(), year),
                           source=request.form.get("source", ""), rows=_with_blanks(reading.rows), kinds=KINDS,
                           errors=errors, message=message, notice=text,
                           read=len(reading.rows)), (422 if not reading.rows else 200)


@bp.post("/import")
def import_():
    db = get_session()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors, message = {"file": _("请选择要导入的 Excel 文件。")}, _("导入未执行。")
    else:
        with invalid_input() as invalid:
            loaded = holiday_sheets.import_workbook(db, actor(), upload.read())
            flash(_("已导入 %(years)s 年的节假日安排；%(n)s 个在办事项的期限已重新计算。",
                    years="、".join(str(y) for y in loaded.years), n=loaded.recomputed), "success")
            return redirect(url_for("holidays.index"))
        holidays.refresh(db, force=True)
        errors, message = invalid.errors, invalid.message
    return render_template("holidays/index.html", years=holidays.years(db), missing=holidays.missing_next_year(),
                           log=holidays.history(db)[:20], errors=errors, message=message), 422


@bp.get("/export.xlsx")
def export():
    years = [int(y) for y in request.args.getlist("year") if y.isdigit()] or None
    data = holiday_sheets.export_workbook(get_session(), years)
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=holidays.xlsx"})


def _edit(year: int, entry, source: str, rows: list[dict], errors: dict, message: str):
    return render_template("holidays/year.html", year=year, entry=entry, source=source, rows=_with_blanks(rows),
                           kinds=KINDS, errors=errors, message=message, notice="", read=None)


def _with_blanks(rows: list[dict]) -> list[dict]:
    return list(rows) + [{"kind": "holiday", "name": "", "start": "", "end": ""} for _n in range(BLANK_ROWS)]


def _rows(form) -> list[dict]:
    kinds, names = form.getlist("kind"), form.getlist("name")
    starts, ends = form.getlist("start"), form.getlist("end")
    return [{"kind": k, "name": n, "start": s, "end": e} for k, n, s, e in zip(kinds, names, starts, ends)]
