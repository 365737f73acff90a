"""Mail through SMTP, sent only after the transaction that wrote it has committed (an outbox).

Notifications queue OutboxMail rows in the caller's transaction; `schedule_flush` asks the session to send them right
after its commit, from a separate short transaction per message, so a mail is never sent for work that was rolled
back and a slow mail server never holds a database lock. `xieshang tick` sends whatever is left (a server that was
down). The server is the `smtp` part of the settings handed in with the session (engine/settings.py); without
one no mail is queued.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.worklist.records import OutboxMail
from engine import settings
from engine.settings import SmtpSettings

log = logging.getLogger("xieshang.mail")
MAX_ATTEMPTS = 5
STALE_CLAIM = dt.timedelta(minutes=10)  # a sender that died mid-way: its claimed mail is tried again
_LISTENING, _PENDING = "xieshang_outbox_listening", "xieshang_outbox_pending"


def settings_for(session: Session) -> SmtpSettings | None:
    return settings.of(session).smtp


def queue(session: Session, to_addr: str, subject: str, body: str) -> OutboxMail:
    mail = OutboxMail(to_addr=to_addr, subject=subject[:300], body=body, created_at=clock.now())
    session.add(mail)
    schedule_flush(session)
    return mail


def schedule_flush(session: Session) -> None:
    """Send the outbox once this session's transaction has committed (nothing happens on rollback)."""
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)
    session.info[_PENDING] = True


def _after_rollback(session: Session, previous) -> None:
    if not previous.nested:
        session.info.pop(_PENDING, None)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the transaction goes on
        return
    if not session.info.pop(_PENDING, None):
        return
    smtp = settings_for(session)
    if smtp is None:
        return
    try:
        flush(session.get_bind(), smtp)
    except Exception:  # noqa: BLE001 - the work is committed; tick sends what is left
        log.exception("sending the outbox after commit failed")


def flush(bind, settings: SmtpSettings | None, limit: int = 50) -> int:
    """Send pending mail, one short transaction to claim each message and one to record the outcome."""
    if settings is None:
        return 0
    sent = 0
    with Session(bind) as session:
        stale = clock.now() - STALE_CLAIM
        ids = list(session.scalars(select(OutboxMail.id).where(or_(
            OutboxMail.status == "pending",
            (OutboxMail.status == "sending") & (OutboxMail.claimed_at < stale))).order_by(OutboxMail.id).limit(limit)))
        session.rollback()
        for mail_id in ids:
            claimed = session.execute(update(OutboxMail).where(
                OutboxMail.id == mail_id, or_(OutboxMail.status == "pending", OutboxMail.claimed_at < stale))
                .values(status="sending", claimed_at=clock.now(), attempts=OutboxMail.attempts + 1))
            session.commit()
            if claimed.rowcount != 1:
                continue  # another sender took it
            mail = session.get(OutboxMail, mail_id)
            try:
                _send(settings, mail)
            except (smtplib.SMTPException, OSError) as err:
                mail.status = "failed" if mail.attempts >= MAX_ATTEMPTS else "pending"
                mail.error = str(err)[:500]
                log.warning("mail %s to %s not sent: %s", mail.id, mail.to_addr, err)
            else:
                mail.status, mail.sent_at, mail.error = "sent", clock.now(), None
                sent += 1
            session.commit()
    return sent


def _send(settings: SmtpSettings, mail: OutboxMail) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, mail.to_addr, mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(settings.host, settings.port, timeout=15) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
