"""提案统计: a year's figures as tables (readable without JavaScript) with two ECharts charts drawn from the same
figures, and the same figures as an Excel workbook."""
from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from engine import clock
from engine.errors import NotFound
from engine.people import permissions, sessions
from engine.procedures.proposal import statistics as figures
from engine.procedures.proposal.statistics_book import workbook
from web.db import get_session
from web.proposals import bp
from web.users import actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else clock.now().year


def _figures() -> figures.Statistics:
    permissions.require(actor(), "proposal.statistics", _("只有政协办公室、主席、督办和系统管理员可以查看提案统计。"))
    session_id = request.args.get("session", type=int)
    if session_id:  # one session's proposals (会议届次) instead of the year's
        plenary = get_session().get(sessions.PlenarySession, session_id)
        if plenary is None:
            raise NotFound(_("没有这次会议。"))
        return figures.for_session(get_session(), plenary)
    return figures.for_year(get_session(), _year())


@bp.get("/statistics")
@login_required
def statistics():
    stats = _figures()
    return render_template("proposals/statistics.html", stats=stats, year=stats.year, charts=_charts(stats),
                           sessions=sessions.every(get_session()))


@bp.get("/statistics.xlsx")
@login_required
def statistics_xlsx():
    stats = _figures()
    return Response(workbook(stats), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=proposal-statistics-"
                             + (f"session-{stats.session_id}" if stats.session_id else str(stats.year)) + ".xlsx"})


def _charts(stats: figures.Statistics) -> dict:
    """What static/js/statistics.js draws: bar charts as labels and named series of the tables' own figures."""
    return {
        "categories": {"labels": [c.category for c in stats.categories],
                       "series": [{"name": _("提交件数"), "values": [c.submitted for c in stats.categories]},
                                  {"name": _("立案"), "values": [c.filed for c in stats.categories]}]},
        "units": {"labels": [u.name for u in stats.units], "stack": True,
                  "series": [{"name": _("%(c)s 类", c=c), "values": [u.classes[c] for u in stats.units]}
                             for c in figures.CLASSES]},
    }
