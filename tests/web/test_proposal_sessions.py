"""会议届次 pages: the office opens a session on the roster, proposals take its numbers, the register and statistics
read a session as well as a year."""
from __future__ import annotations

from sqlalchemy import select

from engine.people.sessions import PlenarySession
from engine.procedures.proposal.records import Proposal

from .helpers import scalar, submit, text


def _open_today(client, auth, db, **extra):
    from engine import clock

    today = clock.now().astimezone(clock.TZ).date().isoformat()
    auth.as_("office1")
    form = {"term": "10", "meeting": "3", "starts_on": today, "ends_on": today, "number_format": "{届}{次}-{序号}",
            **extra}
    return client.post("/roster/sessions", data=form)


def test_the_office_opens_a_session_and_is_refused_a_wrong_one(client, auth, db):
    auth.as_("office1")
    assert "还没有开过会议" in text(client.get("/roster/sessions"))
    refused = _open_today(client, auth, db, number_format="{届}{次}")
    assert refused.status_code == 422 and "编号格式须含 {序号}" in text(refused)
    assert 'value="{届}{次}"' in refused.get_data(as_text=True)  # the input is kept
    assert scalar(db, select(PlenarySession.id)) is None
    assert _open_today(client, auth, db).status_code == 302
    page = client.get("/roster/sessions").get_data(as_text=True)
    assert "第十届第三次会议" in page and "103-001" in page
    again = _open_today(client, auth, db)
    assert again.status_code == 422 and "第10届第3次会议已经开过" in text(again)
    auth.as_("member1")
    assert client.get("/roster/sessions").status_code == 403


def test_a_session_s_proposals_in_the_register_and_statistics(client, auth, db):
    year_id = submit(auth, client, "member2")  # before the session: the year's number
    assert _open_today(client, auth, db).status_code == 302
    session_id = scalar(db, select(PlenarySession.id))
    ids = [submit(auth, client, "member1"), submit(auth, client, "member3")]
    numbers = dict(db.execute(select(Proposal.instance_id, Proposal.number)).tuples().all())
    db.rollback()
    assert [numbers[i] for i in ids] == ["103-001", "103-002"]
    auth.as_("office1")
    html = client.get(f"/proposals/register?session={session_id}").get_data(as_text=True)
    assert "103-001" in html and "103-002" in html and numbers[year_id] not in html
    assert '<small class="period">会议期间</small>' in html
    assert f'<option value="{session_id}" selected>第十届第三次会议</option>' in html
    between = client.get(f"/proposals/register?session={session_id}&period=闭会期间").get_data(as_text=True)
    assert "103-001" not in between
    stats = client.get(f"/proposals/statistics?session={session_id}").get_data(as_text=True)
    periods = stats.split('data-figures="periods"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="会议期间">2</td><td data-label="闭会期间">0</td>' in periods
    totals = stats.split('data-figures="totals"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="提交件数">2</td>' in totals and "第十届第三次会议" in stats
    year = scalar(db, select(Proposal.submitted_at).where(Proposal.instance_id == year_id)).year
    yearly = client.get(f"/proposals/statistics?year={year}").get_data(as_text=True)
    assert '<td data-label="提交件数">3</td>' in yearly.split('data-figures="totals"', 1)[1].split("</tr>", 1)[0]
    book = client.get(f"/proposals/statistics.xlsx?session={session_id}")
    assert book.status_code == 200 and f"session-{session_id}" in book.headers["Content-Disposition"]
    missing = client.get("/proposals/statistics?session=999")
    assert missing.status_code == 404 and "没有这次会议" in text(missing)
