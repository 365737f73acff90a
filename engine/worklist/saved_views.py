"""Saved worklist views, kept on the server: the owner's own, and those shared with the owner's unit or a role."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, FormInvalid, NotFound
from engine.models import Role, User
from engine.worklist.records import SavedView
from engine.worklist.pages import Filters
from engine.i18n import N_

MAX_VIEWS = 50


def visible_clause(user: User):
    shared = [SavedView.owner_id == user.id]
    if user.unit_id is not None:
        shared.append(SavedView.shared_unit_id == user.unit_id)
    if user.role_keys:
        shared.append(SavedView.shared_role_key.in_(sorted(user.role_keys)))
    return or_(*shared)


def views_for(session: Session, user: User) -> list[tuple[SavedView, str]]:
    """(view, owner's name): the person's own first, then what colleagues shared, each by name."""
    rows = session.execute(select(SavedView, User.name).join(User, User.id == SavedView.owner_id)
                           .where(visible_clause(user)).order_by(SavedView.name, SavedView.id))
    return sorted(((view, owner) for view, owner in rows), key=lambda pair: pair[0].owner_id != user.id)


def get_for(session: Session, user: User, view_id: int) -> SavedView:
    view = session.scalars(select(SavedView).where(SavedView.id == view_id, visible_clause(user))).first()
    if view is None:
        raise NotFound(N_("找不到该视图，可能已被删除，或未共享给您。"))
    return view


def save(session: Session, owner: User, name: str, filters: Filters, *, share_unit: bool = False,
         share_role: str = "") -> SavedView:
    """Create the view, or replace the owner's view of the same name. A view is shared only with the owner's own
    unit or with a role the owner holds."""
    name = (name or "").strip()
    if not name:
        raise FormInvalid({"name": N_("请给视图起个名字")})
    if len(name) > 60:
        raise FormInvalid({"name": N_("名称不能超过 60 个字")})
    if share_unit and owner.unit_id is None:
        raise FormInvalid({"share_unit": N_("您不属于任何单位，不能共享给单位")})
    if share_role and (share_role not in owner.role_keys or session.get(Role, share_role) is None):
        raise Forbidden(N_("只能共享给您本人具有的角色。"))
    view = session.scalars(select(SavedView).where(SavedView.owner_id == owner.id, SavedView.name == name)).first()
    if view is None:
        count = len(session.scalars(select(SavedView.id).where(SavedView.owner_id == owner.id)).all())
        if count >= MAX_VIEWS:
            raise FormInvalid({"name": N_("每人最多保存 %(MAX_VIEWS)s 个视图，请先删除不用的视图", MAX_VIEWS=MAX_VIEWS)})
        view = SavedView(owner_id=owner.id, name=name)
        session.add(view)
    view.filters = filters.saved()
    view.shared_unit_id = owner.unit_id if share_unit else None
    view.shared_role_key = share_role or None
    session.flush()
    return view


def delete(session: Session, user: User, view_id: int) -> None:
    view = get_for(session, user, view_id)
    if view.owner_id != user.id:
        raise Forbidden(N_("只有创建者可以删除该视图。"))
    session.delete(view)
    session.flush()


def filters_of(view: SavedView) -> Filters:
    return Filters.parse({k: ("1" if v is True else "" if v is False else v) for k, v in (view.filters or {}).items()})
