"""提交提案 (start form of process `proposal`) and 我的提案."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import or_, select

from engine.people import permissions
from engine.procedures.proposal.records import Proposal, ProposalCosigner
from web.db import get_session
from web.starting import start_page
from web.users import actor

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
PROCESS = "proposal"


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    return start_page(PROCESS, template="proposals/new.html", refused=_("只有政协委员可以提交提案。"),
                      done=_("提案已提交"), next_url=lambda instance: url_for("instances.detail", instance_id=instance.id))


@bp.get("")
@login_required
def index():
    me = actor()
    permissions.require(me, "proposal.submit", _("我的提案是政协委员本人提交或联名的提案。"))
    cosigned = select(ProposalCosigner.proposal_id).where(ProposalCosigner.username == me.username)
    mine = get_session().scalars(select(Proposal).where(or_(Proposal.proposer_id == me.id, Proposal.id.in_(cosigned)))
                                 .order_by(Proposal.submitted_at.desc())).all()
    return render_template("proposals/index.html", proposals=mine)



from web.proposals import statistics  # noqa: E402,F401 - routes register on import
