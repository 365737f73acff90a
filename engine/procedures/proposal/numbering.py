"""Proposal numbers per session (engine/people/sessions.py): once the office has opened a session, a proposal takes
the next number of that session's run in its format; before any session, the core's year number (2026-001)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine import clock
from engine.people import sessions
from engine.runtime import numbers


def number(session: Session) -> str | None:
    found = sessions.covering(session, clock.now())
    if found is None:
        return None
    return found.number(numbers.next_count(session, f"proposal:session:{found.id}"))
