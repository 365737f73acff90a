"""年度看板 in Chromium: a quarterly forum of the first quarter run through the engine; in April the chair opens 年度看板
from the menu, sees the quarterly obligation 进行中 with one quarter done, opens its detail and follows the case that
counts to its page. The board and the case page pass axe-core's WCAG 2.1 AA rules."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine import clock, db as engine_db
from engine.models import User
from tests.engine.consultation_flow import START, ConsultationFlow

from .axe import assert_accessible
from .person import Person

pytestmark = pytest.mark.browser
TOPIC = {"title": "关于推进县域冷链物流发展的协商", "topic_source": "县政府交办或提出", "raised_by_unit": "zfb",
         "lead_committee": "jjw", "leaders": "李副主席", "planned_date": "2026-03-20", "material_units": [],
         "gov_leaders": ["孙立（副县长）"]}


class Users:
    def __init__(self, session):
        self.session = session

    def __getattr__(self, username):
        return self.session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def forum(live_server, tmp_path):
    engine = engine_db.make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        with engine_db.make_sessionmaker(engine)() as session:
            clock.set_now(START)
            flow = ConsultationFlow(session, Users(session))
            instance = flow.start("office1", "quarterly_forum", TOPIC)
            flow.meeting_to_outcome(instance, material_units=())
            flow.outcome_path(instance, gov=False, county_instruction=None)
            return instance.id
    finally:
        engine.dispose()


class Chair(Person):
    prefix = "board"


def test_the_chair_follows_an_obligation_to_the_case_that_counts(new_context, live_server, forum, artifacts):
    clock.set_now(dt.datetime(2026, 4, 10, 9, 0, tzinfo=clock.TZ))
    chair = Chair(new_context, live_server, artifacts, "zhuxi")
    page = chair.page
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="年度看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年度看板")
    assert_accessible(page)
    row = page.locator("tr#O11")
    expect(row).to_contain_text("每季度召开一次协商座谈会")
    expect(row).to_contain_text("进行中")
    expect(row).to_contain_text("1 / 4 个季度")
    row.get_by_text("明细").click()
    expect(row).to_contain_text("第1季度：1 次")
    chair.shot("o11")
    row.get_by_role("link", name=f"#{forum}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("冷链物流")
    assert_accessible(page)
