"""提交提案 and 我的提案."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.procedures.proposal.records import Proposal

from .helpers import SUBMIT, instance_count, scalar, submit, text


def test_new_proposal_page_renders_the_start_form(client, auth):
    auth.as_("member1")
    response = client.get("/proposals/new")
    assert response.status_code == 200
    page, html = text(response), response.get_data(as_text=True)
    for label in ("提交提案", "提案标题", "类别", "案由", "建议", "联名委员"):
        assert label in page
    assert 'maxlength="100"' in html and '<option value="生态文明" data-pinyin="stwm shengtaiwenming">' in html
    assert 'value="member2"' in html and 'value="member1"' not in html  # one cannot cosign one's own proposal


def test_only_members_may_submit(client, auth):
    auth.as_("office1")
    response = client.get("/proposals/new")
    assert response.status_code == 403 and "无权访问" in text(response) and "政协委员" in text(response)
    assert client.post("/proposals/new", data=SUBMIT).status_code == 403


def test_valid_submission_creates_the_proposal(client, auth, db):
    instance_id = submit(auth, client, cosigners=["member2", "member3"])
    proposal = db.scalars(select(Proposal).where(Proposal.instance_id == instance_id)).one()
    assert proposal.title == SUBMIT["title"] and proposal.category == "社会"
    assert proposal.proposer.username == "member1" and proposal.cosigners == ["member2", "member3"]
    db.rollback()
    response = client.get(f"/instances/{instance_id}")
    assert "提案已提交" in text(response)


def test_invalid_submission_is_422_with_field_errors_and_nothing_created(client, auth, db):
    before = instance_count(db)
    auth.as_("member1")
    response = client.post("/proposals/new", data={**SUBMIT, "title": "", "category": "宗教", "cosigners": "member2"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="err-title" role="alert">此项必填<' in html
    assert 'id="err-category" role="alert">请选择列出的选项<' in html
    assert SUBMIT["content"] in html and re.search(r'<option value="member2" data-pinyin="[^"]*" selected>', html)  # the input is kept
    assert instance_count(db) == before
    assert scalar(db, select(Proposal.id)) is None


def test_engine_validation_errors_are_shown_next_to_fields(client, auth, db):
    auth.as_("member1")
    response = client.post("/proposals/new", data={**SUBMIT, "title": "长" * 101})
    assert response.status_code == 422
    assert 'id="err-title" role="alert">内容过长（最多 100 字）<' in response.get_data(as_text=True)
    assert instance_count(db) == 0


def test_my_proposals_lists_own_and_cosigned_only(client, auth):
    first = submit(auth, client, "member1", cosigners=["member2"])
    submit(auth, client, "member3", title="关于改善乡村道路的建议")
    auth.as_("member1")
    page = text(client.get("/proposals"))
    assert SUBMIT["title"] in page and "关于改善乡村道路的建议" not in page and "待" in page
    auth.as_("member2")
    response = client.get("/proposals")
    assert SUBMIT["title"] in text(response) and "联名" in text(response)
    assert f"/instances/{first}" in response.get_data(as_text=True)
    auth.as_("member4")
    assert "您还没有提交过提案" in text(client.get("/proposals"))
