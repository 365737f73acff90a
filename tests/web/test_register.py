"""提案管理: who sees which proposals, the filters, search, sorting, paging and the Excel export."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from engine import clock
from engine.procedures.proposal import register
from tests.engine.flow import LEADERS, REPLY_A, SIGN

from .helpers import text
from .proposal_cases import archived, flow  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("flow")
LINK = re.compile(r'href="/instances/(\d+)"')


def shown(client, query: str = "") -> list[int]:
    response = client.get(f"/proposals/register{query}")
    assert response.status_code == 200, text(response)
    return [int(i) for i in LINK.findall(response.get_data(as_text=True))]


@pytest.fixture
def cases(flow):
    """lead 财政局 with 发改委 co-handling (重点); lead 教育局; one still awaiting review."""
    a = flow.to_handling("member1", lead="czj", co_units=["fgw"], is_key=True, **LEADERS)
    b = flow.to_handling("member3", lead="jyj")
    c = flow.submit("member2", title="关于改善乡村道路的建议", category="经济")
    return a, b, c


@pytest.fixture
def three(cases):
    return tuple(instance.id for instance in cases)


@pytest.mark.parametrize("username, expected", [
    ("office1", "abc"), ("tiwei", "abc"), ("duban", "abc"), ("admin", "abc"),
    ("czj_clerk", "a"), ("fgw_clerk", "a"), ("jyj_clerk", "b")])
def test_each_role_sees_exactly_its_proposals(client, auth, three, username, expected):
    auth.as_(username)
    assert sorted(shown(client)) == sorted(three["abc".index(k)] for k in expected)


def test_members_use_my_proposals_instead(client, auth, three):
    auth.as_("member1")
    assert client.get("/proposals/register").status_code == 403
    assert client.get("/proposals/register.xlsx").status_code == 403
    assert 'href="/proposals/register"' not in client.get("/inbox").get_data(as_text=True)


def test_a_clerk_without_unit_sees_nothing(db, flow, client, auth):
    from tests.factories import person

    person(db, "loose_clerk", ["department"])
    db.commit()
    auth.as_("loose_clerk")
    assert client.get("/proposals/register").status_code == 403


def test_the_page_shows_the_columns(client, auth, three):
    auth.as_("office1")
    page = text(client.get("/proposals/register"))
    for words in ("2026-001", "关于加快城区老旧小区改造的建议", "县财政局", "县发展和改革委员会", "重点", "办理中", "待审查",
                  "2026-06-02"):
        assert words in page, words


def test_filters(client, auth, three):
    a, b, c = three
    auth.as_("office1")
    assert shown(client, "?status=待审查") == [c]
    assert shown(client, "?category=经济") == [c]
    assert shown(client, "?unit=jyj") == [b]
    assert shown(client, "?key=1") == [a]
    assert shown(client, "?year=2025") == []
    assert sorted(shown(client, "?year=2026")) == sorted(three)


def test_search_over_number_title_and_proposer(client, auth, user, three):
    a, b, c = three
    auth.as_("office1")
    assert shown(client, "?q=2026-002") == [b]
    assert shown(client, "?q=乡村道路") == [c]
    assert shown(client, f"?q={user('member3').name}") == [b]
    assert shown(client, "?q=100%") == []  # LIKE wildcards are only characters


def test_overdue(client, auth, flow, cases):
    a, b, _c = cases
    flow.do("jyj_clerk", b, "handle", REPLY_A)
    flow.do("jyj_leader", b, "sign_off", SIGN)
    auth.as_("office1")
    assert shown(client, "?overdue=1") == []
    clock.advance(dt.timedelta(days=120))  # past the reply deadline, 2026-06-02
    assert shown(client, "?overdue=1") == [a.id]  # 教育局 replied; 财政局 did not
    badge = '<span class="badge red">逾期</span>'
    assert badge in client.get("/proposals/register?unit=czj").get_data(as_text=True)
    assert badge not in client.get("/proposals/register?unit=jyj").get_data(as_text=True)


def test_sorting_and_paging(client, auth, monkeypatch, three):
    a, b, c = three
    auth.as_("office1")
    assert shown(client) == [a, b, c]
    assert shown(client, "?desc=1") == [c, b, a]
    assert shown(client, "?sort=title") == [a, b, c]  # 关于加快… before 关于改善…
    assert shown(client, "?sort=title&desc=1") == [c, b, a]
    assert shown(client, "?sort=status&desc=1") == [c, b, a]  # 待审查 after 办理中 (code points), ties by number
    assert shown(client, "?sort=nonsense") == [a, b, c]
    html = client.get("/proposals/register?sort=title").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "sort=title&amp;desc=1" in html
    monkeypatch.setattr(register, "PAGE_SIZE", 2)
    assert shown(client, "?page=1") == [a, b] and shown(client, "?page=2") == [c]
    assert shown(client, "?page=9") == [c]  # past the end: the last page
    assert "第 2 / 2 页" in text(client.get("/proposals/register?page=2"))


def test_excel_export_has_the_filtered_rows_as_text(client, auth, flow):
    flow.submit("member1", title='=HYPERLINK("http://example.com","点我")')
    flow.submit("member2", title="关于改善乡村道路的建议", category="经济")
    auth.as_("office1")
    response = client.get("/proposals/register.xlsx?category=社会")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "案由", "提案人") and len(rows) == 2
    cell = sheet["B2"]
    assert cell.value == '=HYPERLINK("http://example.com","点我")' and cell.data_type == "s"
    assert all(c.data_type == "s" for c in sheet[2] if c.value is not None)
