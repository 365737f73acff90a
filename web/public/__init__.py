"""公开: the proposals and replies published at archive, for anyone, without a login; its own plain layout."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from engine.procedures.proposal import disclosure
from web.db import get_session
from web.public.feed import atom

bp = Blueprint("public", __name__, url_prefix="/public")


@bp.get("")
def index():
    args = request.args
    filters = disclosure.Filters(year=args.get("year", type=int), category=args.get("category", "").strip(),
                                 unit=args.get("unit", "").strip(), q=args.get("q", "").strip()[:100],
                                 page=args.get("page", 1, type=int))
    return render_template("public/index.html", found=disclosure.listing(get_session(), filters), f=filters)


@bp.get("/proposals/<number>")
def proposal(number: str):
    return render_template("public/proposal.html", p=disclosure.one(get_session(), number))


@bp.get("/feed.atom")
def feed():
    items = disclosure.newest(get_session())
    return Response(atom(items, self_url=url_for("public.feed", _external=True),
                         home=url_for("public.index", _external=True),
                         link=lambda p: url_for("public.proposal", number=p.number, _external=True)),
                    mimetype="application/atom+xml")
