"""公开 without a login: only what the office published at archive, the reply only when it too is published, no
contact data, search, and the Atom feed."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from engine.people.records import Member

from .helpers import text
from .proposal_cases import archived, flow  # noqa: F401 - the fixture

ATOM = "{http://www.w3.org/2005/Atom}"
REPLY = "已列入本年度改造计划，首批 12 个小区已开工。"  # tests/engine/flow.py REPLY_A


@pytest.fixture
def published(flow, db):
    """2026-001 fully published; 2026-002 published without its reply; 2026-003 archived unpublished; 2026-004
    still open."""
    whole = archived(flow, "member1")
    half = archived(flow, "member2", lead="jyj", publish_reply=False, title="关于改善乡村道路的建议", category="经济")
    hidden = archived(flow, "member3", title="关于不公开事项的建议", publish_proposal=False, publish_reply=False)
    flow.submit("member4", title="关于尚在办理事项的建议")
    db.commit()
    return whole, half, hidden


def test_the_list_shows_published_proposals_only_without_login(client, published):
    response = client.get("/public")
    assert response.status_code == 200
    page = text(response)
    assert "关于加快城区老旧小区改造的建议" in page and "关于改善乡村道路的建议" in page
    assert "关于不公开事项的建议" not in page and "关于尚在办理事项的建议" not in page
    assert "我的待办" not in page and "退出" not in page  # its own layout, no menu


def test_a_published_proposal_with_its_reply(client, published):
    response = client.get("/public/proposals/2026-001")
    assert response.status_code == 200
    page = text(response)
    for words in ("关于加快城区老旧小区改造的建议", "社会", "城区老旧小区管网老化", "一、摸清底数", "答复类别：A", REPLY):
        assert words in page, words


def test_an_unpublished_reply_is_absent(client, published):
    page = text(client.get("/public/proposals/2026-002"))
    assert "关于改善乡村道路的建议" in page
    assert REPLY not in page and "答复类别" not in page and "办理答复" not in page


@pytest.mark.parametrize("number", ["2026-003", "2026-004", "2026-999", "x"])
def test_unpublished_or_unknown_is_404(client, published, number):
    assert client.get(f"/public/proposals/{number}").status_code == 404


def test_no_contact_data(client, db, published):
    member = db.scalars(select(Member).join(Member.user).where(Member.user.has(username="member1"))).first()
    if member is not None:
        member.contact = "13900001111"
    db.commit()
    pages = [client.get(url).get_data(as_text=True)
             for url in ("/public", "/public/proposals/2026-001", "/public/feed.atom")]
    assert all("13900001111" not in page and "contact" not in page for page in pages)
    assert member is not None  # the roster entry exists, so the check means something


def test_search_by_words_year_category_and_unit(client, published):
    def numbers(query):
        return [n for n in ("2026-001", "2026-002") if f"/public/proposals/{n}" in client.get(f"/public{query}")
                .get_data(as_text=True)]

    assert numbers("?q=乡村道路") == ["2026-002"]
    assert numbers("?q=老旧小区") == ["2026-001", "2026-002"]  # the same content
    assert numbers("?q=改造") == ["2026-001"]
    assert numbers("?q=改造 乡村") == []  # every word must be found
    assert numbers("?category=经济") == ["2026-002"]
    assert numbers("?unit=czj") == ["2026-001"]
    assert numbers("?year=2026") == ["2026-001", "2026-002"]
    assert numbers("?year=2025") == []
    assert numbers("?q=不公开事项") == []


def test_the_atom_feed_lists_published_ones_newest_first(client, published):
    response = client.get("/public/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == ["2026-002 关于改善乡村道路的建议", "2026-001 关于加快城区老旧小区改造的建议"]
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.endswith(entry.find(f"{ATOM}title").text.split()[0])
        assert entry.find(f"{ATOM}updated").text and entry.find(f"{ATOM}author/{ATOM}name").text
    assert REPLY not in response.get_data(as_text=True)


def test_english(client, published):
    page = text(client.get("/public?lang=en"))
    assert "Published proposals" in page
