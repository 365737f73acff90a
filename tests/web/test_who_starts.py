"""The pages behind who may start what: 发起事项 offers each body what is its own to start and refuses the rest with a
sentence; the roster edits 常委; the duty pages and the plenary's record form show them."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from sqlalchemy import select

from engine.models import Instance
from engine.people.records import Member
from engine.procedures.consultation.records import Consultation

from .helpers import scalar, text

OPINION = {"path": "征求意见", "title": "县级预算绩效管理办法（征求意见稿）", "lead_committee": "jjw",
           "counterpart_unit": "czj", "topic_source": "县直部门提出", "raised_by_unit": "czj", "opinion_due": "2026-03-01"}


def test_a_department_starts_a_request_for_opinion_from_its_start_page(client, auth, db):
    auth.as_("czj_clerk")
    assert "对口协商" in text(client.get("/processes"))
    refused = client.post("/processes/counterpart/start", data={**OPINION, "path": "对口协商会议"})
    assert refused.status_code == 422 and "对口协商会议由专门委员会发起" in text(refused)
    assert scalar(db, select(Consultation.id)) is None
    started = client.post("/processes/counterpart/start", data=OPINION)
    assert started.status_code == 302, text(started)
    record = db.scalars(select(Consultation)).one()
    assert (record.path, record.counterpart_unit, record.lead_committee) == ("征求意见", "czj", "jjw")
    db.rollback()


def test_the_county_offices_start_their_own_topics_and_events(client, auth, db):
    auth.as_("xwb_clerk")
    page = text(client.get("/processes"))
    assert all(name in page for name in ("季协商座谈会", "专题协商会", "县委支持政协工作事项登记"))
    assert "专题议政性常委会会议" not in page
    refused = client.post("/processes/quarterly_forum/start", data={
        "title": "关于优化营商环境的协商", "topic_source": "县政府交办或提出", "raised_by_unit": "zfb",
        "lead_committee": "jjw", "planned_date": "2026-06-18"})
    assert refused.status_code == 422 and "县委交办或提出" in text(refused)
    started = client.post("/processes/quarterly_forum/start", data={
        "title": "关于优化营商环境的协商", "topic_source": "县委交办或提出", "raised_by_unit": "xwb",
        "lead_committee": "jjw", "planned_date": "2026-06-18"})
    assert started.status_code == 302, text(started)
    assert scalar(db, select(Instance.process_key)) == "quarterly_forum"


def test_a_committee_starts_an_inspection_it_leads(client, auth, db):
    auth.as_("jjw_clerk")
    assert "视察与调研" in text(client.get("/processes"))
    started = client.post("/processes/inspection/start", data={
        "title": "县域冷链物流", "kind": "调研", "source": "政协自选", "rationale": "群众关注", "lead_committee": "jjw"})
    assert started.status_code == 302, text(started)


def test_the_roster_marks_standing_members_and_the_duty_pages_show_it(client, auth, db):
    auth.as_("office1")
    member_id = scalar(db, select(Member.id).join(Member.user).where(Member.name == "刘芳（委员）"))
    assert scalar(db, select(Member.standing).where(Member.id == member_id)) is False
    url = f"/roster/members/{member_id}"
    assert "政协常委" in text(client.get(url))
    response = client.post(url, data={"name": "刘芳（委员）", "sector": "教育界", "unit": "jyj", "active": "1",
                                      "standing": "1"})
    assert response.status_code == 302
    assert scalar(db, select(Member.standing).where(Member.id == member_id)) is True
    roster = client.get("/roster").get_data(as_text=True)
    assert "常委" in roster
    members = client.get("/duty/members?year=2026").get_data(as_text=True)
    row = re.search(r'<tr data-username="member2">.*?</tr>', members, re.S).group(0)
    assert 'data-label="常委">是<' in row
    book = load_workbook(io.BytesIO(client.get("/duty/attendance?year=2026&format=xlsx").data))
    assert "常委" in [cell.value for cell in book.active[1]]
