"""报送社情民意 (start form of process `sheqing`), 我的社情民意 with the feedback, and the office's list."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engine.people import permissions
from engine.procedures.supervision.records import SheqingItem
from web.db import get_session
from web.lookups import name_lookup
from web.starting import start_page
from web.users import actor

bp = Blueprint("sheqing", __name__, url_prefix="/sheqing")
PROCESS = "sheqing"


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    return start_page(PROCESS, template="duty/sheqing_new.html", refused=_("只有政协委员可以报送社情民意。"),
                      done=_("社情民意已报送"), next_url=lambda _instance: url_for("sheqing.index"))


@bp.get("")
@login_required
def index():
    permissions.require(actor(), "sheqing.report", _("这里是委员本人报送的社情民意。"))
    db = get_session()
    mine = db.scalars(select(SheqingItem).where(SheqingItem.submitter_id == actor().id)
                      .order_by(SheqingItem.submitted_at.desc())).all()
    return render_template("duty/sheqing_list.html", items=mine, mine=True, unit_name=_unit_name(db))


@bp.get("/all")
@login_required
def all_items():
    permissions.require(actor(), "sheqing.all", _("只有政协办公室可以查看全部社情民意。"))
    db = get_session()
    items = db.scalars(select(SheqingItem).order_by(SheqingItem.submitted_at.desc())).all()
    return render_template("duty/sheqing_list.html", items=items, mine=False, unit_name=_unit_name(db))


def _unit_name(db):
    name_of = name_lookup(db)
    return lambda code: name_of("unit", code)
