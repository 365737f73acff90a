"""年度看板: each obligation of the year as 已完成 / 进行中 / 有风险 / 未完成 / 未到期, its figure, deadline and the cases
that count; a print view and an Excel export."""
from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from openpyxl import Workbook

from engine import clock
from engine.board import obligations, thresholds
from engine.errors import NotFound
from engine.people import permissions
from web.db import get_session, invalid_input
from web.users import actor

bp = Blueprint("board", __name__, url_prefix="/board")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def _readers_only():
    permissions.require(actor(), "board.read", _("年度看板由政协办公室、主席会议和督查人员查看。"))


def _year() -> int:
    value = request.args.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else clock.now().year


def _results(year: int):
    db = get_session()
    return obligations.evaluate(db, obligations.load(), year, thresholds=thresholds.current(db))


@bp.get("")
def index():
    return _page(_year(), {})


def _page(year: int, errors: dict[str, str]):
    results = _results(year)
    counts = {state: sum(1 for r in results if r.state == state) for state in obligations.STATES}
    areas: dict[str, list] = {}
    for result in results:
        areas.setdefault(result.obligation.area, []).append(result)
    return render_template("board/index.html", year=year, areas=areas, counts=counts, states=obligations.STATES,
                           years=range(clock.now().year + 1, clock.now().year - 5, -1),
                           printing=request.args.get("print") == "1", manage=permissions.can(actor(), "board.manage"),
                           errors=errors), (422 if errors else 200)


@bp.post("/<oid>/threshold")
def threshold(oid: str):
    obligation = next((o for o in obligations.load() if o.id == oid), None)
    if obligation is None:
        raise NotFound(_("没有这项义务。"))
    year = _year()
    with invalid_input() as invalid:
        thresholds.change(get_session(), actor(), obligation, request.form.get("threshold", ""))
        flash(_("%(id)s 的考核标准已调整。", id=oid), "success")
        return redirect(url_for("board.index", year=year, _anchor=oid))
    return _page(year, {oid: invalid.errors.get("threshold", invalid.message)})


@bp.get("/export.xlsx")
def export():
    year = _year()
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年度看板"
    sheet.append(["编号", "领域", "依据", "义务", "责任单位", "状态", "完成情况", "期限", "说明"])
    for r in _results(year):
        sheet.append([r.obligation.id, r.obligation.area, r.obligation.source, r.obligation.rule, r.obligation.owner,
                      r.state_text, r.figure, r.deadline.isoformat() if r.deadline else "",
                      "；".join(r.detail + ([r.note] if r.note else []))])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # text, never a formula
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=board-{year}.xlsx"})
