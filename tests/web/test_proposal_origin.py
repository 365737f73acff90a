"""集体提案 pages: the bodies on the roster and their contact persons, a body's submission, the register and statistics
telling body and member proposals apart, the reply letter addressed to the body."""
from __future__ import annotations

from sqlalchemy import select

from engine.people.bodies import BodyContact
from engine.procedures.proposal.records import Proposal

from .helpers import ACCEPT, ASSIGN, REPLY_A, SIGN, SUBMIT, do, instance_count, scalar, submit, text


def _contact(auth, client, body="gsl", contact="member3"):
    auth.as_("office1")
    response = client.post("/roster/bodies", data={"body": body, "contact": contact})
    assert response.status_code == 302, text(response)


def test_the_office_names_a_body_s_contact_person_and_is_refused_a_non_member(client, auth, db):
    auth.as_("office1")
    page = text(client.get("/roster/bodies"))
    assert "县工商业联合会" in page and "民盟县委员会" in page and "县财政局" not in page
    refused = client.post("/roster/bodies", data={"body": "gsl", "contact": "czj_clerk"})
    assert refused.status_code == 422 and "联系人须是已开通账号、在任的委员" in text(refused)
    assert scalar(db, select(BodyContact.user_id)) is None
    _contact(auth, client)
    html = client.get("/roster/bodies").get_data(as_text=True)
    row = html.split('data-body="gsl"', 1)[1].split("</tr>", 1)[0]
    assert "陈伟" in row and "未指定" not in row
    assert scalar(db, select(BodyContact.user_id)) is not None
    assert client.post("/roster/bodies", data={"body": "gsl", "contact": ""}).status_code == 302  # taken away
    assert scalar(db, select(BodyContact.user_id)) is None
    auth.as_("member1")
    assert client.get("/roster/bodies").status_code == 403


def test_a_contact_person_submits_for_the_body_and_a_member_sees_no_body_choice(client, auth, db):
    auth.as_("member1")
    assert 'name="body"' not in client.get("/proposals/new").get_data(as_text=True)
    _contact(auth, client)
    auth.as_("member3")
    html = client.get("/proposals/new").get_data(as_text=True)
    assert 'name="body"' in html and '<option value="gsl">县工商业联合会</option>' in html and 'name="authors"' in html
    assert 'name="author_self"' in html
    refused = client.post("/proposals/new", data={**SUBMIT, "body": "gsl", "cosigners": "member2"})
    assert refused.status_code == 422 and "不征集联名委员" in text(refused)
    assert instance_count(db) == 0
    instance_id = submit(auth, client, "member3", body="gsl", authors="member4")
    proposal = db.scalars(select(Proposal).where(Proposal.instance_id == instance_id)).one()
    assert (proposal.body_code, proposal.proposer.username, proposal.cosigners) == ("gsl", "member3", [])
    db.rollback()
    auth.as_("member1")  # not the contact person: the body is refused, nothing started
    refused = client.post("/proposals/new", data={**SUBMIT, "body": "gsl"})
    assert refused.status_code == 422 and "您不是该单位的集体提案联系人" in text(refused)
    assert instance_count(db) == 1


def test_register_statistics_and_letter_show_the_body(client, auth, db):
    _contact(auth, client)
    body_id = submit(auth, client, "member3", body="gsl")
    own_id = submit(auth, client, "member1")
    for instance_id in (body_id, own_id):
        do(auth, client, db, "tiwei", instance_id, "review", {"decision": "立案"})
    do(auth, client, db, "office1", body_id, "assign", ASSIGN)
    do(auth, client, db, "czj_clerk", body_id, "accept", ACCEPT)
    do(auth, client, db, "czj_clerk", body_id, "handle", REPLY_A)
    do(auth, client, db, "czj_leader", body_id, "sign_off", SIGN)
    auth.as_("office1")
    year = scalar(db, select(Proposal.submitted_at).where(Proposal.instance_id == body_id)).year
    bodies = text(client.get(f"/proposals/register?year={year}&origin=body"))
    assert "县工商业联合会 集体提案" in bodies and SUBMIT["title"] in bodies
    numbers = dict(db.execute(select(Proposal.instance_id, Proposal.number)).tuples().all())
    db.rollback()
    assert numbers[body_id] in bodies and numbers[own_id] not in bodies
    members = text(client.get(f"/proposals/register?year={year}&origin=member"))
    assert numbers[own_id] in members and numbers[body_id] not in members
    html = client.get(f"/proposals/statistics?year={year}").get_data(as_text=True)
    origin = html.split('data-origin="body"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="提交件数">1</td><td data-label="立案">1</td>' in origin
    member_row = html.split('data-origin="member"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="提交件数">1</td>' in member_row
    assert 'data-body="gsl"' in html
    letter = text(client.get(f"/instances/{body_id}/reply-letter"))
    assert "县工商业联合会：" in letter and "委员：" not in letter
