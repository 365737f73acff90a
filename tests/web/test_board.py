"""年度看板 pages: who may open them, the year's obligations with their states and the cases that count, the print
view and the Excel export."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from engine import clock

from .helpers import text


@pytest.mark.parametrize("username, status", [("office1", 200), ("zhuxi", 200), ("duban", 200), ("admin", 200),
                                              ("member1", 403), ("czj_clerk", 403)])
def test_who_may_read_the_board(client, auth, username, status):
    auth.as_(username)
    assert client.get("/board").status_code == status
    assert ('href="/board"' in client.get("/inbox").get_data(as_text=True)) == (status == 200)


def test_the_board_lists_every_obligation_with_its_state(client, auth):
    clock.set_now(dt.datetime(2026, 11, 20, 9, 0, tzinfo=clock.TZ))
    auth.as_("office1")
    page = client.get("/board?year=2026")
    body, html = text(page), page.get_data(as_text=True)
    assert page.status_code == 200 and "2026 年度看板" in body
    assert all(f'id="O{n}"' in html for n in range(1, 36))
    assert "每年召开两次专题议政性常委会会议" in body and "第11条，任务9" in body
    assert "有风险" in body and "0 / 2" in body
    assert "0 / 5 个领导班子" in body  # the plenary's leaderships, counted from the record's choice (第10条)
    later = text(client.get("/board?year=2027"))
    assert "未到期" in later
    printed = client.get("/board?year=2026&print=1").get_data(as_text=True)
    assert "<details class=\"board-detail\" open>" in printed


def test_the_board_as_excel(client, auth):
    clock.set_now(dt.datetime(2026, 11, 20, 9, 0, tzinfo=clock.TZ))
    auth.as_("zhuxi")
    response = client.get("/board/export.xlsx?year=2026")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("编号", "领域", "依据", "义务", "责任单位", "状态")
    assert len(rows) == 36 and {r[0] for r in rows[1:]} == {f"O{n}" for n in range(1, 36)}
    o9 = next(r for r in rows if r[0] == "O9")
    assert o9[5] == "有风险" and o9[6] == "0 / 2"


def test_the_office_changes_a_threshold_and_the_state_follows(client, auth, db):
    from sqlalchemy import select

    from engine.board.thresholds import ObligationThreshold
    from engine.models import Event

    clock.set_now(dt.datetime(2026, 11, 20, 9, 0, tzinfo=clock.TZ))
    auth.as_("office1")
    assert 'name="threshold"' in client.get("/board").get_data(as_text=True)
    response = client.post("/board/O9/threshold?year=2026", data={"threshold": "0"})
    assert response.status_code == 302 and response.location.endswith("#O9")
    page = client.get("/board?year=2026").get_data(as_text=True)
    o9 = page.split('id="O9"', 1)[1].split("</tr>", 1)[0]
    assert "已完成" in o9
    refused = client.post("/board/O16/threshold?year=2026", data={"threshold": "120"})
    assert refused.status_code == 422 and "1—100" in text(refused)
    assert client.post("/board/O99/threshold", data={"threshold": "1"}).status_code == 404
    assert db.scalar(select(ObligationThreshold.threshold).where(ObligationThreshold.obligation_id == "O9")) == 0
    assert db.scalar(select(Event.data).where(Event.kind == "obligation_threshold"))["to"] == 0
    auth.as_("zhuxi")  # reads the board, changes nothing
    assert 'name="threshold"' not in client.get("/board").get_data(as_text=True)
    assert client.post("/board/O9/threshold", data={"threshold": "2"}).status_code == 403
