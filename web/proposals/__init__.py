"""提交提案 (start form of process `proposal`), 我的提案 and 提案管理 (the register of a year's proposals)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import or_, select

from engine import clock
from engine.people import bodies, permissions, sessions
from engine.procedures.proposal import register as proposal_register
from engine.procedures.proposal.records import Proposal, ProposalCosigner
from web.db import get_session
from web.starting import start_page
from web.users import actor

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


class _WhenDrawn:
    """A list the template reads only if it draws the part that shows it."""

    def __init__(self, load):
        self._load, self._items = load, None

    def _got(self) -> list:
        if self._items is None:
            self._items = self._load()
        return self._items

    def __iter__(self):
        return iter(self._got())

    def __bool__(self) -> bool:
        return bool(self._got())
PROCESS = "proposal"


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    # 集体提案: the bodies the person is the contact of, read only when the form is drawn (a POST that starts the
    # proposal does not draw it)
    bodies_ = _WhenDrawn(lambda: [(u.code, u.name) for u in bodies.bodies_of(get_session(), actor())])
    return start_page(PROCESS, template="proposals/new.html", refused=_("只有政协委员可以提交提案。"),
                      done=_("提案已提交"), next_url=lambda instance: url_for("instances.detail", instance_id=instance.id),
                      bodies=bodies_)


@bp.get("")
@login_required
def index():
    me = actor()
    permissions.require(me, "proposal.submit", _("我的提案是政协委员本人提交或联名的提案。"))
    cosigned = select(ProposalCosigner.proposal_id).where(ProposalCosigner.username == me.username)
    mine = get_session().scalars(select(Proposal).where(or_(Proposal.proposer_id == me.id, Proposal.id.in_(cosigned)))
                                 .order_by(Proposal.submitted_at.desc())).all()
    return render_template("proposals/index.html", proposals=mine)



@bp.get("/register")
@login_required
def register():
    filters = _register_filters()
    found = proposal_register.page(get_session(), actor(), filters)
    return render_template("proposals/register.html", found=found, f=filters, sorts=proposal_register.SORTS,
                           origins=proposal_register.ORIGINS, periods=sessions.PERIODS)


@bp.get("/register.xlsx")
@login_required
def register_export():
    from web.proposals.exports import register_workbook

    filters = _register_filters()
    rows = proposal_register.every_row(get_session(), actor(), filters)
    return Response(register_workbook(rows, filters.year), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=proposals-{filters.year}.xlsx"})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _register_filters() -> proposal_register.Filters:
    args = request.args
    year = args.get("year", type=int)
    return proposal_register.Filters(
        year=year if year and 2000 <= year <= 2100 else clock.now().year,
        **{key: args.get(key, "").strip() for key in ("status", "category", "unit", "q", "sort", "origin")},
        key=args.get("key") == "1", overdue=args.get("overdue") == "1", desc=args.get("desc") == "1",
        session=args.get("session", type=int), period=args.get("period", "").strip(),
        page=args.get("page", 1, type=int))


from web.proposals import statistics  # noqa: E402,F401 - routes register on import
