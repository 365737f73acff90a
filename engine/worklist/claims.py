"""Work on a task before it is done: claim, release, reassign, delegate and hand back, and bulk claim / 交办.

Each action checks, changes the OpenTask row, writes an audit event (which bumps the instance's optimistic lock, so
two people acting at once cannot both win) and notifies whoever is now to act. Bad input changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.runtime import audit, verbs as runtime
from engine import clock
from engine.worklist import notifications
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound, XieshangError
from engine.models import Instance, OpenTask, Role, Unit, User, user_roles
from engine.runtime.tasks import eligible, may_act
from engine.i18n import N_, joined

MAX_BULK = 100
# Steps that may be done in bulk by 交办: (process key, step id) -> the form field that names the unit.
BULK_ASSIGN = {("proposal", "assign"): "lead_unit"}


@dataclass
class _Spec:
    bpmn_id: str
    bpmn_name: str


@dataclass
class _TaskRef:
    """What audit.record reads from an engine task, taken from the inbox row."""

    id: str
    task_spec: _Spec


def _row(session: Session, task_id: str) -> OpenTask:
    row = session.scalars(select(OpenTask).where(OpenTask.id == task_id)
                          .execution_options(populate_existing=True)).first()
    if row is None:
        raise NotFound(N_("找不到该待办事项，可能已被办理或已关闭。"))
    return row


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else "他人"


def _check_eligible(actor: User, row: OpenTask, verb: str) -> None:
    if not eligible(actor, row):
        raise Forbidden(N_("您不能%(verb)s“%(value)s”的“%(name)s”：它不在您或您所在单位的办理范围内。",
                           verb=verb, value=row.title or row.name, name=row.name))


def _check_free(session: Session, actor: User, row: OpenTask) -> None:
    if not may_act(actor, row):
        raise Conflict(N_("“%(value)s”的“%(name)s”已由%(value2)s认领，只有认领人可以办理或转交。",
                          value=row.title or row.name, name=row.name, value2=_name(session, row.claimed_by_id)))


def _record(session: Session, actor: User, row: OpenTask, kind: str, data: dict | None = None) -> None:
    instance = session.get(Instance, row.instance_id)
    audit.record(session, instance, kind, actor, task=_TaskRef(row.id, _Spec(row.bpmn_id, row.name)), data=data)
    try:
        session.flush()
    except StaleDataError as err:
        raise Conflict(N_("该事项刚刚已被他人处理，您的操作未保存。请刷新后查看最新状态。")) from err


def claim(session: Session, actor: User, task_id: str) -> OpenTask:
    row = _row(session, task_id)
    _check_eligible(actor, row, N_("认领"))
    if row.candidate_user:
        raise Conflict(N_("该事项已指定由您本人办理，无需认领。"))
    if row.claimed_by_id == actor.id:
        raise Conflict(N_("您已认领该事项。"))
    _check_free(session, actor, row)
    row.claimed_by_id, row.claimed_at, row.delegated_by_id = actor.id, clock.now(), None
    _record(session, actor, row, "claim")
    return row


def release(session: Session, actor: User, task_id: str) -> OpenTask:
    row = _row(session, task_id)
    if row.claimed_by_id != actor.id:
        raise Conflict(N_("只有认领人可以释放该事项。"))
    if row.delegated_by_id:
        raise Conflict(N_("该事项是%(value)s委托给您的，请用“交还”退回给委托人。", value=_name(session, row.delegated_by_id)))
    row.claimed_by_id, row.claimed_at = None, None
    _record(session, actor, row, "release")
    return row


def colleagues(session: Session, actor: User, row: OpenTask) -> list[User]:
    """Active people of the actor's unit who could do this task (lane role, candidates), the actor excluded."""
    if actor.unit_id is None or row.role_key is None or row.candidate_user:
        return []
    people = session.scalars(select(User).join(user_roles, user_roles.c.user_id == User.id)
                             .where(User.unit_id == actor.unit_id, User.active.is_(True), User.id != actor.id,
                                    user_roles.c.role_key == row.role_key).order_by(User.name)).unique()
    return [person for person in people if eligible(person, row)]


def for_handover(session: Session, actor: User, task_id: str) -> tuple[OpenTask, list[User]]:
    """The task the actor may hand over, and the colleagues it may go to."""
    row = _row(session, task_id)
    _check_eligible(actor, row, N_("转交"))
    _check_free(session, actor, row)
    return row, colleagues(session, actor, row)


def _colleague(session: Session, actor: User, row: OpenTask, username: str, verb: str) -> User:
    if row.candidate_user:
        raise Conflict(N_("该事项只能由指定的人本人办理，不能%(verb)s。", verb=verb))
    target = session.scalars(select(User).where(User.username == username)).first()
    if target is None or not target.active:
        raise NotFound(N_("找不到要%(verb)s的同事：%(username)s。", verb=verb, username=username))
    if target.id == actor.id:
        raise Conflict(N_("不能%(verb)s给自己。", verb=verb))
    if actor.unit_id is None or target.unit_id != actor.unit_id:
        raise Forbidden(N_("只能%(verb)s给本单位的同事，%(name)s不是本单位人员。", verb=verb, name=target.name))
    if not eligible(target, row):
        role = session.get(Role, row.role_key) if row.role_key else None
        raise Forbidden(N_("%(name)s没有“%(value)s”角色，不能办理此事项。",
                           name=target.name, value=role.name if role else row.lane or ''))
    return target


def reassign(session: Session, actor: User, task_id: str, username: str) -> OpenTask:
    """Hand the task over for good: the colleague becomes its claimer."""
    row = _row(session, task_id)
    _check_eligible(actor, row, N_("转办"))
    _check_free(session, actor, row)
    if row.delegated_by_id:
        raise Conflict(N_("委托给您的事项不能转办，请先交还委托人。"))
    target = _colleague(session, actor, row, username, N_("转办"))
    row.claimed_by_id, row.claimed_at, row.delegated_by_id = target.id, clock.now(), None
    _record(session, actor, row, "reassign", {"to": target.username})
    notifications.notify(session, [target.id], "reassign", row, actor=actor)
    return row


def delegate(session: Session, actor: User, task_id: str, username: str) -> OpenTask:
    """Ask a colleague to do it on the actor's behalf; they complete it or hand it back."""
    row = _row(session, task_id)
    _check_eligible(actor, row, N_("委托"))
    _check_free(session, actor, row)
    if row.delegated_by_id:
        raise Conflict(N_("委托给您的事项不能再委托，请办理或交还委托人。"))
    target = _colleague(session, actor, row, username, N_("委托"))
    row.claimed_by_id, row.claimed_at, row.delegated_by_id = target.id, clock.now(), actor.id
    _record(session, actor, row, "delegate", {"to": target.username})
    notifications.notify(session, [target.id], "delegate", row, actor=actor)
    return row


def hand_back(session: Session, actor: User, task_id: str) -> OpenTask:
    """The delegate returns the task (or the delegator takes it back): the delegator holds it again."""
    row = _row(session, task_id)
    if row.delegated_by_id is None or actor.id not in (row.claimed_by_id, row.delegated_by_id):
        raise Conflict(N_("该事项不是委托办理的事项，无需交还。"))
    delegator = row.delegated_by_id
    row.claimed_by_id, row.claimed_at, row.delegated_by_id = delegator, clock.now(), None
    _record(session, actor, row, "return")
    if delegator != actor.id:
        notifications.notify(session, [delegator], "handback", row, actor=actor)
    return row


def release_all_of(session: Session, actor: User, user: User) -> int:
    """A person's account is deactivated: the tasks they claimed go back to everyone who may do them (one delegated to
    them too), and a task they delegated stays with the colleague doing it, now as that colleague's own claim. Each
    is a line in its case's history saying why; returns how many tasks changed hands."""
    rows = list(session.scalars(select(OpenTask).where(or_(OpenTask.claimed_by_id == user.id,
                                                           OpenTask.delegated_by_id == user.id))
                                .order_by(OpenTask.id).execution_options(populate_existing=True)))
    for row in rows:
        if row.claimed_by_id == user.id:
            row.claimed_by_id, row.claimed_at, row.delegated_by_id = None, None, None
            _record(session, actor, row, "release", {"reason": "deactivated", "user": user.name})
        else:
            row.delegated_by_id = None
            _record(session, actor, row, "return", {"reason": "deactivated", "user": user.name})
    return len(rows)


def _bulk_rows(session: Session, task_ids: list[str]) -> list[OpenTask]:
    ids = list(dict.fromkeys(t for t in task_ids if t))
    if not ids:
        raise XieshangError(N_("请先勾选要办理的事项。"))
    if len(ids) > MAX_BULK:
        raise XieshangError(N_("一次最多办理 %(MAX_BULK)s 项，请分批操作。", MAX_BULK=MAX_BULK))
    rows = {r.id: r for r in session.scalars(select(OpenTask).where(OpenTask.id.in_(ids))
                                             .execution_options(populate_existing=True))}
    missing = [t for t in ids if t not in rows]
    if missing:
        raise Conflict(N_("所选的 %(value)s 项已被办理或已关闭，本次未做任何操作。请刷新后重新选择。", value=len(missing)))
    return [rows[t] for t in ids]


def _refuse_all(problems: list[str]) -> None:
    if problems:
        raise Conflict(N_("以下事项不能办理，本次未做任何操作：%(problems)s。", problems=joined(problems)))


def bulk_claim(session: Session, actor: User, task_ids: list[str]) -> int:
    rows = _bulk_rows(session, task_ids)
    _refuse_all([f"{r.business_key}“{r.name}”" + ("不在您的办理范围内" if not eligible(actor, r) else
                 "已指定办理人" if r.candidate_user else f"已由{_name(session, r.claimed_by_id)}认领")
                 for r in rows if not eligible(actor, r) or r.candidate_user or r.claimed_by_id is not None])
    for row in rows:
        claim(session, actor, row.id)
    return len(rows)


def bulk_assign(session: Session, actor: User, task_ids: list[str], unit_code: str, note: str = "") -> int:
    """交办 many proposals to one unit in one transaction; any that cannot be assigned refuses them all."""
    rows = _bulk_rows(session, task_ids)
    unit = session.scalars(select(Unit).where(Unit.code == unit_code)).first() if unit_code else None
    if unit is None:
        problem = N_("找不到单位：%(unit_code)s", unit_code=unit_code) if unit_code else N_("请选择主办单位")
        raise FormInvalid({"unit": problem}, N_("请选择列出的主办单位。"))
    problems = []
    for r in rows:
        if (r.process_key, r.bpmn_id) not in BULK_ASSIGN:
            problems.append(N_("%(business_key)s“%(name)s”不是交办步骤", business_key=r.business_key, name=r.name))
        elif not eligible(actor, r):
            problems.append(N_("%(business_key)s不在您的办理范围内", business_key=r.business_key))
        elif not may_act(actor, r):
            problems.append(N_("%(business_key)s已由%(value)s认领",
                               business_key=r.business_key, value=_name(session, r.claimed_by_id)))
    _refuse_all(problems)
    for r in rows:
        field = BULK_ASSIGN[(r.process_key, r.bpmn_id)]
        try:
            runtime.complete_task(session, actor, r.id, {field: unit.code, "assign_note": note})
        except FormInvalid as err:
            raise Conflict(N_("%(business_key)s不能交办（%(value)s），本次未交办任何事项。",
                              business_key=r.business_key, value=joined(err.errors.values()) or err.message)) from err
        except XieshangError as err:
            wrapped = XieshangError(N_("%(business_key)s不能交办：%(message)s本次未交办任何事项。",
                                       business_key=r.business_key, message=err.message))
            wrapped.status = err.status
            raise wrapped from err
    return len(rows)
