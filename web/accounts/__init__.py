"""账号管理: logins for roster members and unit clerks, kept by those who keep the roster (admin or office)."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.people import accounts
from engine.errors import Forbidden, NotFound
from engine.people.records import Member
from web.db import get_session
from web.db import invalid_input
from web.i18n import N_
from web.users import actor

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
STATUSES = {"active": N_("启用"), "inactive": N_("已停用"), "none": N_("未开通")}
KINDS = {"account_create": N_("开通账号"), "account_update": N_("修改角色或单位"), "password_reset": N_("重置密码"),
         "account_disable": N_("停用"), "account_enable": N_("重新启用"), "password_change": N_("本人修改密码")}
FIELDS = {"name": N_("姓名"), "unit": N_("单位"), "roles": N_("角色"), "active": N_("启用")}


@bp.before_request
@login_required
def _managers_only():
    if not accounts.can_manage(actor()):
        raise Forbidden(_("只有系统管理员和政协办公室可以管理账号。"))


@bp.get("")
def index():
    db = get_session()
    f = accounts.Filters(**{key: request.args.get(key, "").strip() for key in ("unit", "role", "q", "status")})
    return render_template("accounts/index.html", rows=accounts.accounts(db, f), f=f, statuses=STATUSES,
                           waiting=accounts.members_without_login(db), **_choices(db))


@bp.route("/new", methods=["GET", "POST"])
def new():
    db = get_session()
    member = _member(db, request.values.get("member", type=int))
    values = {"roles": ["member"] if member else [], "mode": "generate"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {**{key: request.form.get(key, "").strip() for key in ("username", "name", "unit")},
                  "roles": request.form.getlist("roles"), "mode": request.form.get("mode", "generate")}
        with invalid_input() as invalid:
            issued = accounts.create(db, actor(), username=values["username"], name=values["name"],
                                     unit=values["unit"], role_keys=values["roles"],
                                     member_id=member.id if member else None, **_password())
            return _issued(issued, _("已为%(name)s开通账号。", name=issued.user.name))
        errors = invalid.errors
    return render_template("accounts/new.html", member=member, values=values, errors=errors,
                           **_choices(db)), (422 if errors else 200)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def detail(user_id: int):
    db = get_session()
    found = accounts.account(db, user_id)
    if request.method == "POST":
        with invalid_input() as invalid:
            accounts.update(db, actor(), user_id, unit=request.form.get("unit", ""),
                            role_keys=request.form.getlist("roles"), name=request.form.get("name"))
            flash(_("已保存"), "success")
            return redirect(url_for("accounts.detail", user_id=user_id))
        return _detail(db, found, errors=invalid.errors, values=request.form)
    return _detail(db, found)


@bp.post("/<int:user_id>/password")
def reset(user_id: int):
    db = get_session()
    found = accounts.account(db, user_id)
    with invalid_input() as invalid:
        issued = accounts.reset_password(db, actor(), user_id, **_password())
        return _issued(issued, _("已重置%(name)s的密码。", name=issued.user.name))
    return _detail(db, found, reset_errors=invalid.errors)


@bp.post("/<int:user_id>/active")
def active(user_id: int):
    turn_on = request.form.get("active") == "1"
    user = accounts.set_active(get_session(), actor(), user_id, turn_on)
    flash(_("已重新启用%(name)s的账号。", name=user.name) if turn_on
          else _("已停用%(name)s的账号，其登录即刻失效。", name=user.name), "success")
    return redirect(url_for("accounts.detail", user_id=user_id))


def _password() -> dict:
    """The form's password choice: generate one (shown once), or the one typed twice."""
    if request.form.get("mode") == "set":
        return {"password": request.form.get("password", ""), "confirm": request.form.get("confirm", "")}
    return {}


def _issued(issued: accounts.Issued, done: str):
    """A typed password is known to whoever typed it; a generated one is shown on this page only, never stored."""
    if issued.password is None:
        flash(done + " " + _("本人首次登录时须修改密码。"), "success")
        return redirect(url_for("accounts.detail", user_id=issued.user.id))
    response = make_response(render_template("accounts/issued.html", issued=issued, done=done))
    response.headers["Cache-Control"] = "no-store"
    return response


def _detail(db, found: accounts.Account, *, errors=None, reset_errors=None, values=None):
    user = found.user
    values = values or {"name": user.name, "unit": user.unit.code if user.unit else ""}
    roles = values.getlist("roles") if hasattr(values, "getlist") else sorted(user.role_keys)
    failed = errors or reset_errors
    choices = _choices(db)
    return render_template("accounts/detail.html", account=found, user=user, values=values, chosen=roles,
                           errors=errors or {}, reset_errors=reset_errors or {}, history=accounts.history(db, user),
                           kinds=KINDS, statuses=STATUSES, describe=_describer(**choices), me=actor(),
                           **choices), (422 if failed else 200)


def _describer(roles, units):
    """(field, before, after) in words for one audit event's changes."""
    role_names, unit_names = {r.key: r.name for r in roles}, {u.code: u.name for u in units}
    words = {"roles": lambda keys: "、".join(role_names.get(k, k) for k in keys or []),
             "unit": lambda code: unit_names.get(code, code) if code else "",
             "name": lambda name: name or "",
             "active": lambda on: _("启用") if on else _("已停用")}

    def describe(event) -> list[tuple[str, str, str]]:
        changes = (event.data or {}).get("changes") or {}
        said = [(_(FIELDS[key]), words[key](change[0]), words[key](change[1]))
                for key, change in changes.items() if key in FIELDS and isinstance(change, list) and len(change) == 2]
        return [(label, before, after) for label, before, after in said if before != after]

    return describe


def _member(db, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = db.get(Member, member_id)
    if member is None:
        raise NotFound(_("没有找到该委员。"))
    return member


def _choices(db) -> dict:
    return {"roles": accounts.roles(db), "units": accounts.units(db)}
