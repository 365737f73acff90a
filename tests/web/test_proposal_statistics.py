"""提案统计 page and export: who may open them, and the figures of proposals made through the web on them."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from sqlalchemy import select

from engine import clock
from engine.models import Instance

from .helpers import ACCEPT, OVERSEE, REPLY_A, SIGN, do, submit, text, to_accept


@pytest.mark.parametrize("username, status", [
    ("office1", 200), ("zhuxi", 200), ("duban", 200), ("admin", 200),
    ("member1", 403), ("tiwei", 403), ("czj_clerk", 403)])
def test_the_office_chair_supervisors_and_administrators_may_open_it(client, auth, username, status):
    auth.as_(username)
    assert client.get("/proposals/statistics").status_code == status
    assert client.get("/proposals/statistics.xlsx").status_code == status


def _made(auth, client, db) -> None:
    """A key proposal 财政局 accepted and replied to (A) at once, and one not filed."""
    handled = to_accept(auth, client, db)
    do(auth, client, db, "czj_clerk", handled, "accept", ACCEPT)
    do(auth, client, db, "czj_clerk", handled, "handle", REPLY_A)
    do(auth, client, db, "czj_leader", handled, "sign_off", SIGN)
    do(auth, client, db, "zhuxi", handled, "oversight_review", OVERSEE)  # a key proposal: reviewed, then replied
    rejected = submit(auth, client, "member2")
    do(auth, client, db, "tiwei", rejected, "review", {"decision": "不立案", "reason": "不符合立案标准"})


def test_the_page_shows_the_years_figures_in_tables_and_chart_data(client, auth, db):
    _made(auth, client, db)
    year = clock.now().year
    auth.as_("office1")
    response = client.get(f"/proposals/statistics?year={year}")
    page = response.get_data(as_text=True)
    words = text(response)
    assert "提案统计" in words and f'href="/proposals/statistics.xlsx?year={year}"' in page
    totals = page.split('data-figures="totals"')[1].split("</tr>")[0]
    assert [int(n) for n in re.findall(r">(\d+)<", totals)] == [2, 1, 1, 0, 0]
    unit = page.split('data-unit="czj"')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", unit)
    assert cells[:7] == ["1", "1", "1", "1", "1", "100.0%", "1"]  # 承办, 已签收, 按期签收, 应答复, 按期答复, 率, A
    assert 'id="chart-categories"' in page and "&#34;series&#34;" in page
    assert 'src="/static/vendor/echarts/echarts.common.min.js"' in page and "<script>" not in page
    assert "关于加快城区老旧小区改造的建议" in page.split('id="h-key"')[1]  # the key proposal's progress
    empty = text(client.get(f"/proposals/statistics?year={year - 1}"))
    assert "本年度还没有提案" in empty


def test_the_page_shows_both_evaluations_and_the_face_to_face_rate(client, auth, db):
    _made(auth, client, db)
    handled = db.scalar(select(Instance.id).where(Instance.process_key == "proposal").order_by(Instance.id))
    do(auth, client, db, "member1", handled, "satisfaction",
       {"satisfaction_work": "基本满意", "satisfaction": "不满意", "satisfaction_comment": "尚未解决"})
    auth.as_("office1")
    page = client.get(f"/proposals/statistics?year={clock.now().year}").get_data(as_text=True)
    rows = {key: re.findall(r"<td[^>]*>([^<]*)</td>", page.split(f'data-evaluation="{key}"')[1].split("</tr>")[0])
            for key in ("work", "result")}
    assert rows == {"work": ["1", "0", "1", "0", "100.0%"], "result": ["1", "0", "0", "1", "0.0%"]}
    face = page.split('data-figures="face"')[1].split("</p>")[0]
    assert "100.0%" in face and "已答复 1 件" in face  # REPLY_A met the proposer face to face


def test_the_export_holds_the_same_figures(client, auth, db):
    _made(auth, client, db)
    year = clock.now().year
    auth.as_("duban")
    response = client.get(f"/proposals/statistics.xlsx?year={year}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert f"proposal-statistics-{year}.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert list(book["总体"].iter_rows(values_only=True))[1] == (year, 2, 1, 1, 0, 0)
    unit = list(book["承办单位"].iter_rows(values_only=True))[1]
    assert unit[:7] == ("县财政局", 1, 1, 1, 1, 1, "100.0%")
    members = {r[1]: r[2:] for r in list(book["委员"].iter_rows(values_only=True))[1:]}
    assert members == {"member1": (1, 0), "member2": (1, 0)}


def test_the_page_is_in_english_too(client, auth):
    auth.as_("office1")
    page = text(client.get("/proposals/statistics?lang=en"))
    assert "Proposal statistics" in page and "On-time reply rate" in page and "提案统计" not in page
