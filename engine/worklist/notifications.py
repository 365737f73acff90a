"""The notification centre: new work for me or my unit, returned work, due-date reminders, handovers; mail if wanted.

New-task notifications are written in the same transaction as the task's inbox row: the runtime calls
`on_new_tasks` right after inserting the rows, and `on_completed` for the task a person completed. A task that
reaches a step the instance has done before (退回, 重新办理) is announced as returned work.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import and_, case, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.worklist import mailer
from engine.calendar import workdays
from engine.models import Event, OpenTask, Unit, User, user_roles
from engine.worklist.records import Notification, NotificationSetting, ReminderSent
from engine.i18n import N_

SUBJECTS = {
    "task": "新待办", "returned": "退回待重办", "due_soon": "即将到期", "overdue": "已逾期",
    "reassign": "转办给您", "delegate": "委托您办理", "handback": "委托事项已交还", "delegate_done": "委托事项已办结",
}
REMIND_BATCH = 500


def _get(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, dict) else getattr(row, key, None)


def recipients(session: Session, row: Any) -> list[int]:
    """Who may act on the task now: its claimer, else every active holder of the lane role the candidates allow."""
    if _get(row, "claimed_by_id"):
        return [_get(row, "claimed_by_id")]
    query = _recipients_query(row)
    return [] if query is None else list(session.scalars(query.order_by(User.id)))


def notify(session: Session, user_ids: Iterable[int], kind: str, row: Any, *, actor: User | None = None) -> int:
    """One notification per person about the task `row` (an OpenTask or its projection dict); mail if they asked."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return 0
    now = clock.now()
    values = {"kind": kind, "task_id": _get(row, "id"), "instance_id": _get(row, "instance_id"),
              "task_name": _get(row, "name") or "", "title": _get(row, "title") or "",
              "number": _get(row, "business_key") or "", "actor_id": actor.id if actor else None,
              "due_at": _get(row, "due_at"), "created_at": now}
    session.execute(insert(Notification), [{**values, "user_id": uid} for uid in ids])
    _queue_mail(session, ids, values, actor)
    return len(ids)


def _queue_mail(session: Session, ids: list[int], values: dict, actor: User | None) -> None:
    settings = mailer.settings_for(session)
    if settings is None:
        return
    addresses = session.scalars(select(NotificationSetting.email).where(
        NotificationSetting.user_id.in_(ids), NotificationSetting.email_enabled.is_(True),
        NotificationSetting.email != ""))
    subject = f"【协商】{SUBJECTS.get(values['kind'], '通知')}：{values['task_name']} · {values['title']}"
    lines = [f"事项：{values['title']}", f"编号：{values['number']}", f"步骤：{values['task_name']}"]
    if values["due_at"]:
        lines.append(f"办理期限：{workdays.parse(values['due_at']).astimezone(clock.TZ):%Y-%m-%d %H:%M}")
    if actor is not None:
        lines.append(f"操作人：{actor.name}")
    if settings.base_url and values["task_id"]:
        lines.append(f"办理：{settings.base_url}/tasks/{values['task_id']}")
    lines.append("\n此邮件由协商平台自动发送，请勿回复。可在平台“通知设置”中关闭邮件提醒。")
    for address in addresses:
        mailer.queue(session, address, subject, "\n".join(lines))


def on_new_tasks(session: Session, rows: list[dict]) -> None:
    """Announce new inbox rows (called by the runtime right after it inserts them): one INSERT … SELECT per task
    over the people who may act on it, marked 'returned' when the instance has done that step before (退回,
    重新办理), skipped when the same task was already announced (its row rebuilt after a move to a new version)."""
    settings = mailer.settings_for(session)
    now = clock.now()
    for row in rows:
        who = _recipients_query(row)
        if who is None:
            continue
        returned = exists().where(Event.instance_id == row["instance_id"], Event.bpmn_id == row["bpmn_id"],
                                  Event.kind == "complete")
        announced = exists().where(Notification.task_id == row["id"], Notification.kind.in_(("task", "returned")))
        kind = case((returned, "returned"), else_="task")
        values = {"task_id": row["id"], "instance_id": row["instance_id"], "task_name": row.get("name") or "",
                  "title": row.get("title") or "", "number": row.get("business_key") or "",
                  "due_at": row.get("due_at"), "created_at": now}
        columns = [User.id, kind, *(literal(v, getattr(Notification, k).type) for k, v in values.items())]
        statement = insert(Notification).from_select(["user_id", "kind", *values], who.with_only_columns(
            *columns).where(~announced))
        if settings is None:
            session.execute(statement)
            continue
        sent = session.execute(statement.returning(Notification.user_id, Notification.kind)).all()
        if sent:
            _queue_mail(session, [uid for uid, _kind in sent], {**values, "kind": sent[0][1], "actor_id": None},
                        None)


def _recipients_query(row: Any):
    """SELECT of the ids of who may act on a task (an OpenTask or its projection dict), or None when nobody can."""
    if _get(row, "claimed_by_id"):
        return select(User.id).where(User.id == _get(row, "claimed_by_id"))
    if not _get(row, "role_key"):
        return None
    query = (select(User.id).join(user_roles, user_roles.c.user_id == User.id)
             .where(user_roles.c.role_key == _get(row, "role_key"), User.active.is_(True)))
    if _get(row, "candidate_user"):
        query = query.where(User.username == _get(row, "candidate_user"))
    if _get(row, "candidate_unit"):
        query = query.join(Unit, Unit.id == User.unit_id).where(Unit.code == _get(row, "candidate_unit"))
    return query


def on_completed(session: Session, row: OpenTask, actor: User) -> None:
    """A delegated task that someone else completed goes back to its delegator as news: 委托事项已办结."""
    if row.delegated_by_id is not None and row.delegated_by_id != actor.id:
        notify(session, [row.delegated_by_id], "delegate_done", row, actor=actor)


def remind_due(session: Session, soon_days: int | None = None) -> int:
    """Remind whoever may act when a task is due within `soon_days` working days, and again once it is overdue;
    each reminder once per task and kind. Returns how many tasks were reminded."""
    from engine.worklist.pages import soon_days_default, soon_threshold

    now = clock.now()
    threshold = soon_threshold(now, soon_days if soon_days is not None else soon_days_default(session))
    reminded = 0
    for kind, due in (("overdue", OpenTask.due_at < now),
                      ("due_soon", and_(OpenTask.due_at >= now, OpenTask.due_at <= threshold))):
        sent = exists().where(ReminderSent.task_id == OpenTask.id, ReminderSent.kind == kind)
        rows = session.scalars(select(OpenTask).where(OpenTask.due_at.is_not(None), due, ~sent)
                               .order_by(OpenTask.due_at).limit(REMIND_BATCH)).all()
        for row in rows:
            notify(session, recipients(session, row), kind, row)
            session.add(ReminderSent(task_id=row.id, kind=kind, at=now))
            reminded += 1
    session.flush()
    return reminded


def tick(session: Session) -> dict[str, int]:
    """The worklist's part of `xieshang tick`: reminders now, and mail left over from earlier after the commit."""
    reminded = remind_due(session)
    mailer.schedule_flush(session)
    return {"reminded": reminded}


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_for(session: Session, user: User, *, page: int = 1, per_page: int = 30,
             unread_only: bool = False) -> tuple[list[tuple[Notification, str | None, bool]], int]:
    """(notification, name of who caused it, task still open) newest first, and the total."""
    conditions = [Notification.user_id == user.id]
    if unread_only:
        conditions.append(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(Notification).where(*conditions)) or 0
    still_open = exists().where(OpenTask.id == Notification.task_id)
    query = (select(Notification, User.name, still_open).outerjoin(User, User.id == Notification.actor_id)
             .where(*conditions).order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return [(n, name, bool(is_open)) for n, name, is_open in session.execute(query)], total


def mark_read(session: Session, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all of them when `ids` is None); others' are never touched."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    return session.execute(query.values(read_at=clock.now()).execution_options(synchronize_session=False)).rowcount


def setting_for(session: Session, user: User) -> NotificationSetting:
    return session.get(NotificationSetting, user.id) or NotificationSetting(user_id=user.id, email="",
                                                                            email_enabled=False)


def save_setting(session: Session, user: User, email: str, enabled: bool) -> NotificationSetting:
    from engine.errors import FormInvalid

    email = (email or "").strip()
    if email and ("@" not in email or len(email) > 200 or " " in email or email.startswith("@") or email.endswith("@")):
        raise FormInvalid({"email": N_("请填写正确的电子邮箱地址")})
    if enabled and not email:
        raise FormInvalid({"email": N_("开启邮件提醒需要填写电子邮箱")})
    setting = session.get(NotificationSetting, user.id) or NotificationSetting(user_id=user.id)
    setting.email, setting.email_enabled = email, bool(enabled)
    session.add(setting)
    session.flush()
    return setting
