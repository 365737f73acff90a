"""Business numbers: counters incremented under the row lock, and the number a new instance takes — the one its
procedure gives (registry.add_numbering: a proposal's number in its session's run), else the year's (2026-001)."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock, registry
from engine.models import Counter


def next_count(session: Session, key: str) -> int:
    """The next value of counter `key` (1 for a new one); the UPDATE's row lock keeps concurrent starts apart."""
    bump = update(Counter).where(Counter.key == key).values(value=Counter.value + 1).returning(Counter.value)
    value = session.scalar(bump)
    if value is None:  # the counter's first number
        try:
            with session.begin_nested():
                session.add(Counter(key=key, value=1))
            value = 1
        except IntegrityError:  # someone else created it a moment ago: take the next one
            value = session.scalar(bump)
    return value


def business_key(session: Session, process_key: str) -> str:
    for make in registry.get().numbering.get(process_key, ()):
        number = make(session)
        if number:
            return number
    year = clock.now().year
    return f"{year}-{next_count(session, f'{process_key}:{year}'):03d}"
