"""公开 in Chromium without logging in: the list, a search, a proposal with its reply — each page WCAG 2.1 AA."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from engine import clock, db as engine_db
from tests.engine.flow import MONDAY, Flow
from tests.web.proposal_cases import Users, archived

from .axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def published(live_server, tmp_path):
    """Two proposals archived for publication on the live server's database, through the engine."""
    engine = engine_db.make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    session = engine_db.make_sessionmaker(engine)()
    try:
        clock.set_now(MONDAY)
        flow = Flow(session, Users(session))
        archived(flow, "member1")
        archived(flow, "member2", lead="jyj", title="关于改善乡村道路的建议", category="经济")
    finally:
        clock.reset()
        session.close()
        engine.dispose()
    return live_server


def test_public_pages_without_login(new_context, published, artifacts):
    page = new_context(base_url=published, locale="zh-CN").new_page()
    page.goto("/public")
    expect(page.get_by_role("heading", level=1)).to_contain_text("公开提案")
    expect(page.get_by_role("link", name="登录")).to_have_count(0)
    expect(page.get_by_role("navigation", name="主菜单")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("关键词").fill("乡村道路")
    page.get_by_role("button", name="搜索").click()
    results = page.locator(".public-list li")
    expect(results).to_have_count(1)
    assert_accessible(page)

    results.get_by_role("link", name="关于改善乡村道路的建议").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("关于改善乡村道路的建议")
    expect(page.get_by_role("heading", name="办理答复")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(artifacts / "public-proposal.png"), full_page=True)

    page.goto("/public?lang=en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published proposals")
    assert_accessible(page)
