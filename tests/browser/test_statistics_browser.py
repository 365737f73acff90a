"""提案统计 in Chromium: with proposals filed, assigned, accepted and replied to through the engine, the office opens
the page from the menu, sees both charts drawn by ECharts beside tables holding the same figures, and the page passes
axe-core's WCAG 2.1 AA rules. Screenshot in test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine import clock, db as engine_db
from engine.models import User
from tests.engine.flow import ACCEPT, LEADERS, MONDAY, REPLY_A, SIGN, Flow

from .axe import assert_accessible
from .person import Person

pytestmark = pytest.mark.browser


class Office(Person):
    prefix = "statistics"


class _Users:
    def __init__(self, session):
        self.session = session

    def __getattr__(self, username):
        return self.session.scalars(select(User).where(User.username == username)).one()


def _proposals(path) -> None:
    engine = engine_db.make_engine(f"sqlite:///{path}")
    try:
        with engine_db.make_sessionmaker(engine)() as session:
            flow = Flow(session, _Users(session))
            for proposer, unit, category in (("member1", "czj", "经济"), ("member2", "fgw", "社会"),
                                             ("member3", "czj", "社会")):
                instance = flow.submit(proposer, category=category)
                key = {"is_key": True, **LEADERS} if proposer == "member1" else {}
                flow.do("tiwei", instance, "review", {"decision": "立案", **key})
                flow.do("office1", instance, "assign", {"lead_unit": unit})
                flow.do(f"{unit}_clerk", instance, "accept", ACCEPT)
                flow.do(f"{unit}_clerk", instance, "handle", REPLY_A)
                flow.do(f"{unit}_leader", instance, "sign_off", SIGN)
            rejected = flow.submit("member4", category="文化")
            flow.do("tiwei", rejected, "review", {"decision": "不立案", "reason": "不符合立案标准"})
    finally:
        engine.dispose()


def test_the_office_sees_the_years_figures_drawn(new_context, live_server, artifacts, tmp_path):
    clock.set_now(MONDAY)
    _proposals(tmp_path / "live.db")
    office = Office(new_context, live_server, artifacts, "office1")
    page = office.page
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="提案统计").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("提案统计")
    expect(page.locator("tr[data-figures=totals] td").first).to_have_text("4")
    expect(page.locator("tr[data-unit=czj] td").first).to_have_text("2")
    for chart in ("#chart-categories", "#chart-units"):
        expect(page.locator(f"{chart}.drawn").locator("svg, canvas").first).to_be_visible()
    expect(page.locator("#chart-categories svg text", has_text="社会").first).to_be_attached()
    office.shot("page")
    assert_accessible(page)
