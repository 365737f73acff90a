"""集体提案: a body on the roster submits through its contact person, from submission to the evaluation, through the
engine calls the web uses; the register, statistics and 五个一 tell body and member proposals apart."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import FormInvalid, NotFound
from engine.models import Instance
from engine.people import bodies
from engine.procedures.duty import report
from engine.procedures.proposal import register, statistics
from engine.procedures.proposal.records import Proposal, ProposalCosigner

from .flow import ACCEPT, ARCHIVE, Flow, MONDAY, REPLY_A, SATISFIED, SIGN


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)
    bodies.set_contact(deployed, "gsl", "member3")  # 县工商业联合会, through member3
    deployed.commit()
    return Flow(deployed, users)


def test_a_body_submits_through_its_contact_person_who_receives_and_evaluates_the_reply(flow):
    instance = flow.submit("member3", body="gsl", authors=["member4"])
    proposal = flow.proposal(instance)
    assert proposal.body_code == "gsl" and proposal.proposer.username == "member3" and proposal.cosigners == []
    assert [(s.username, s.status) for s in proposal.signers] == [("member4", "author")]
    assert flow.open_ids(instance) == ["review"]  # nobody is asked to co-sign or confirm
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    flow.do("office1", instance, "assign", {"lead_unit": "czj", "co_units": []})
    flow.do("czj_clerk", instance, "accept", ACCEPT)
    flow.do("czj_clerk", instance, "handle", REPLY_A)
    flow.do("czj_leader", instance, "sign_off", SIGN)  # the unit's leader signs the reply off
    [evaluation] = flow.open(instance, "satisfaction")
    assert evaluation.candidate_user == "member3"  # the contact person evaluates for the body
    flow.do("member3", instance, "satisfaction", SATISFIED)
    flow.do("office1", instance, "archive", ARCHIVE)
    flow.session.expire_all()
    done = flow.proposal(instance)
    assert (done.satisfaction, done.body_code, flow.session.get(Instance, instance.id).status) == ("满意", "gsl",
                                                                                                 "completed")


def test_only_the_contact_person_submits_for_a_body_and_without_co_signers(flow):
    before = flow.session.scalar(select(Proposal.id).order_by(Proposal.id.desc()).limit(1))
    for who, extra, field in [("member1", {"body": "gsl"}, "body"),  # not its contact person
                              ("member3", {"body": "czj"}, "body"),  # 财政局 is no body
                              ("member3", {"body": "gsl", "cosigners": ["member2"]}, "cosigners"),
                              ("member1", {"authors": ["member2"]}, "authors"),  # authors only for a body
                              ("member1", {"author_self": True}, "author_self")]:
        with pytest.raises(FormInvalid) as refused:
            flow.submit(who, **extra)
        flow.session.rollback()
        assert field in refused.value.errors, (who, extra, refused.value.errors)
    assert flow.session.scalar(select(Proposal.id).order_by(Proposal.id.desc()).limit(1)) == before
    with pytest.raises(FormInvalid):
        bodies.set_contact(flow.session, "gsl", "office1")  # the contact person is a member
    with pytest.raises(NotFound):
        bodies.set_contact(flow.session, "czj", "member1")
    flow.session.rollback()


def test_register_statistics_and_five_duties_tell_body_and_member_proposals_apart(flow, users):
    bodies.set_contact(flow.session, "fl", "member3")  # member3 is the contact person of two bodies
    flow.session.commit()
    made = [("member3", {"body": "gsl", "authors": ["member4"]}, True),
            ("member3", {"body": "gsl"}, False), ("member3", {"body": "fl", "author_self": True}, True),
            ("member3", {}, True), ("member1", {"cosigners": ["member3"]}, True), ("member2", {}, False)]
    numbers = {}
    for proposer, extra, file_it in made:
        instance = flow.submit(proposer, **extra)
        numbers[instance.business_key] = (proposer, extra, file_it)
        if extra.get("cosigners"):
            flow.do("member3", instance, "cosign", {"cosign_agree": True})
        flow.do("tiwei", instance, "review", {"decision": "立案" if file_it else "不立案", "reason": "不属于提案范围"})
    # what the test made, counted here
    by_body = {}
    for proposer, extra, file_it in numbers.values():
        if extra.get("body"):
            by_body.setdefault(extra["body"], [0, 0])
            by_body[extra["body"]][0] += 1
            by_body[extra["body"]][1] += file_it
    collective = sum(n for n, _f in by_body.values())
    stats = statistics.for_year(flow.session, MONDAY.year)
    assert {b.code: [b.submitted, b.filed] for b in stats.bodies} == by_body
    assert (stats.collective, stats.collective_filed) == (collective, sum(f for _n, f in by_body.values()))
    assert stats.totals.submitted - stats.collective == len(made) - collective
    members = {m.username: (m.submitted, m.cosigned) for m in stats.members}
    assert members["member3"] == (1, 1)  # their own proposal and one co-signature; the bodies' are not theirs
    assert "member4" not in members or members["member4"][0] == 0

    office = users.office1
    rows = register.page(flow.session, office, register.Filters(year=MONDAY.year, origin="body")).rows
    assert sorted(r.number for r in rows) == sorted(n for n, (_p, e, _f) in numbers.items() if e.get("body"))
    assert {r.body for r in rows} == {"县工商业联合会", "县妇女联合会"}
    assert {r.proposer for r in rows} == {users.member3.name}  # the contact person, shown under the body
    members_only = register.page(flow.session, office, register.Filters(year=MONDAY.year, origin="member")).rows
    assert sorted(r.number for r in members_only) == sorted(n for n, (_p, e, _f) in numbers.items()
                                                            if not e.get("body"))
    assert all(r.body == "" for r in members_only)

    five = {r.username: r.item("proposal").evidence for r in report.records(flow.session, MONDAY.year)}
    # their own (领衔), the co-signed one (联名) and the body's they named themselves an author of — not the other two
    assert sorted(e.rsplit("（", 1)[1] for e in five["member3"]) == ["联名）", "集体提案执笔）", "领衔）"]
    assert [e.endswith("（集体提案执笔）") for e in five["member4"]] == [True]
    assert flow.session.scalar(select(ProposalCosigner.status).where(ProposalCosigner.username == "member4")) == "author"
