"""Proposals in known states, driven through the engine as the web would (tests/engine/flow.py), for the register
and the public pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.models import User
from tests.engine.flow import ARCHIVE, MONDAY, REPLY_A, SATISFIED, SIGN, Flow


class Users:
    def __init__(self, session):
        self.session = session

    def __getattr__(self, username: str) -> User:
        return self.session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def flow(db):
    clock.set_now(MONDAY)
    return Flow(db, Users(db))


def archived(flow: Flow, username: str = "member1", *, lead: str = "czj", publish_reply: bool = True,
             publish_proposal: bool = True, **submit):
    """Submitted, 立案, assigned to `lead`, answered (class A), found satisfying and archived for publication."""
    instance = flow.submit(username, **submit)
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.do("office1", instance, "assign", {"lead_unit": lead})
    flow.do(f"{lead}_clerk", instance, "accept", {"accept_decision": "签收"})
    flow.do(f"{lead}_clerk", instance, "handle", REPLY_A)
    flow.do(f"{lead}_leader", instance, "sign_off", SIGN)
    flow.do(username, instance, "satisfaction", SATISFIED)
    flow.do("office1", instance, "archive", {**ARCHIVE, "publish_proposal": publish_proposal,
                                                "publish_reply": publish_reply})
    return instance
