"""集体提案单位: the bodies on the roster that may submit a proposal as a body — 民主党派, 工商联, 人民团体 and the CPPCC's
own committees — each through one contact person (联系人), who submits it, receives the reply and evaluates it for the
body. The contact person is an active account with the role 委员 (the proposal's lane), usually the body's member.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.errors import FormInvalid, NotFound
from engine.i18n import N_
from engine.models import Base, Role, Unit, User

BODY_KINDS = ("democratic_party", "fic", "org", "committee", "cppcc")  # kinds of unit that may be a proposing body


class BodyContact(Base):
    """The contact person through whom a body on the roster submits and evaluates its collective proposals."""

    __tablename__ = "body_contacts"
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit: Mapped[Unit] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


@dataclass(frozen=True)
class Body:
    code: str
    name: str
    kind: str
    contact: User | None


def bodies(session: Session) -> list[Body]:
    """Every unit of a body's kind, with its contact person (None when none is named yet)."""
    contacts = {c.unit_id: c.user for c in session.scalars(select(BodyContact))}
    units = session.scalars(select(Unit).where(Unit.kind.in_(BODY_KINDS)).order_by(Unit.id))
    return [Body(u.code, u.name, u.kind, contacts.get(u.id)) for u in units]


def bodies_of(session: Session, user: User) -> list[Unit]:
    """The bodies `user` is the contact person of."""
    return list(session.scalars(select(Unit).join(BodyContact, BodyContact.unit_id == Unit.id)
                                .where(BodyContact.user_id == user.id, Unit.kind.in_(BODY_KINDS))
                                .order_by(Unit.id)))


def body(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code, Unit.kind.in_(BODY_KINDS)))


def set_contact(session: Session, code: str, username: str) -> None:
    """Name (or, with an empty username, take away) a body's contact person."""
    unit = body(session, code)
    if unit is None:
        raise NotFound(N_("找不到该集体提案单位。"))
    row = session.get(BodyContact, unit.id)
    username = (username or "").strip()
    if not username:
        if row is not None:
            session.delete(row)
            session.flush()
        return
    person = session.scalar(select(User).join(User.roles).where(
        User.username == username, User.active.is_(True), Role.key == "member"))
    if person is None:
        raise FormInvalid({"contact": N_("联系人须是已开通账号、在任的委员")})
    if row is None:
        row = BodyContact(unit_id=unit.id, user_id=person.id)
        session.add(row)
    row.user_id = person.id
    session.flush()


def contact_problem(session: Session, code: str, user: User) -> str | None:
    """None when `user` is the contact person of the body `code`, else why they may not submit for it."""
    unit = body(session, code)
    if unit is None:
        return N_("找不到该集体提案单位")
    if session.scalar(select(BodyContact.user_id).where(BodyContact.unit_id == unit.id)) != user.id:
        return N_("您不是该单位的集体提案联系人")
    return None
