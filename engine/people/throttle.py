"""Login throttling: failed logins counted per username and per client address over a window, in the database so that
every worker process counts the same; past the limit the login is refused with the time to wait, before the password
is checked. A successful login forgets its username's failures; failures older than a day are dropped."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.people.records import LoginFailure

WINDOW = dt.timedelta(minutes=15)
PER_ACCOUNT = 5  # failures within WINDOW after which a username waits
PER_ADDRESS = 20  # failures within WINDOW after which an address waits, whatever usernames it tries
KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class Wait:
    minutes: int  # rounded up, at least 1
    by: str  # "account" or "address"


def wait_for(session: Session, username: str, address: str) -> Wait | None:
    """How long this username or this address must wait before trying again; None when it may try now."""
    now = clock.now()
    waits = [_wait(session, LoginFailure.username == _key(username), PER_ACCOUNT, now, "account"),
             _wait(session, LoginFailure.address == address, PER_ADDRESS, now, "address")]
    waits = [w for w in waits if w is not None]
    return max(waits, key=lambda w: w.minutes) if waits else None


def _wait(session: Session, where, limit: int, now: dt.datetime, by: str) -> Wait | None:
    times = list(session.scalars(select(LoginFailure.at).where(where, LoginFailure.at > now - WINDOW)
                                 .order_by(LoginFailure.at.desc()).limit(limit)))
    if len(times) < limit:
        return None
    until = times[-1] + WINDOW  # when the oldest of the last `limit` failures leaves the window
    return Wait(max(1, math.ceil((until - now).total_seconds() / 60)), by)


def failed(session: Session, username: str, address: str) -> None:
    now = clock.now()
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))
    session.add(LoginFailure(at=now, username=_key(username), address=address[:64]))
    session.flush()


def succeeded(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username)))


def _key(username: str) -> str:
    return username.strip().lower()[:60]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LoginFailure)) or 0
