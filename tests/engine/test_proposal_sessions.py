"""会议届次: the office opens a session; proposals are numbered per session in its format, marked 会议期间 or 闭会期间
by the day they were submitted, and the register and statistics read a session as well as a year — through the
engine calls the web uses, compared with counts made here from what the test did."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import FormInvalid
from engine.people import bodies, sessions
from engine.procedures.proposal import register, statistics
from engine.procedures.proposal.records import Proposal

from .flow import MONDAY, Flow


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)  # 2026-03-02
    return Flow(deployed, users)


def _open(flow, *args, **kwargs):
    opened = sessions.open_session(flow.session, *args, **kwargs)
    flow.session.commit()
    return opened


def _on(day: str, hour: int = 10) -> None:
    clock.set_now(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=clock.TZ))


def test_numbers_run_per_session_in_its_format_and_mark_the_period(flow):
    before = flow.submit("member1")  # no session yet: the year's number
    assert before.business_key == "2026-001" and flow.proposal(before).session_id is None
    third = _open(flow, 10, 3, "2026-03-02", "2026-03-05", "{届}{次}-{序号}")
    assert third.name == "第十届第三次会议"
    made = []  # (number, session, period) as this test expects them
    for day, who, extra, expected in [("2026-03-02", "member1", {}, ("103-001", third, "会议期间")),
                                      ("2026-03-05", "member2", {}, ("103-002", third, "会议期间")),
                                      ("2026-03-06", "member3", {}, ("103-003", third, "闭会期间")),
                                      ("2026-09-01", "member1", {}, ("103-004", third, "闭会期间"))]:
        _on(day)
        instance = flow.submit(who, **extra)
        proposal = flow.proposal(instance)
        assert (proposal.number, proposal.session_id, proposal.period) == (expected[0], expected[1].id, expected[2])
        assert flow.data(instance)["number"] == expected[0]
        made.append(expected)
    _on("2027-01-05")
    fourth = _open(flow, 10, 4, "2027-01-06", "2027-01-08", "十届四次-{序号}")
    late = flow.submit("member2")  # the day before the fourth plenary: still the third session's, between sessions
    assert (late.business_key, flow.proposal(late).period) == ("103-005", "闭会期间")
    made.append(("103-005", third, "闭会期间"))
    _on("2027-01-06")
    bodies.set_contact(flow.session, "gsl", "member3")
    flow.session.commit()
    collective = flow.submit("member3", body="gsl")  # a body's proposal takes the session's number like any other
    assert (collective.business_key, flow.proposal(collective).period) == ("十届四次-001", "会议期间")
    made.append(("十届四次-001", fourth, "会议期间"))

    office = flow.user("office1")
    for plenary in (third, fourth):
        ours = sorted(n for n, s, _p in made if s is plenary)
        rows = register.page(flow.session, office, register.Filters(year=2000, session=plenary.id)).rows
        assert sorted(r.number for r in rows) == ours
        stats = statistics.for_session(flow.session, plenary)
        assert stats.totals.submitted == len(ours) and stats.session_name == plenary.name
        expected = {}
        for _n, s, period in made:
            if s is plenary:
                expected[period] = expected.get(period, 0) + 1
        assert stats.periods == expected
    during = register.page(flow.session, office, register.Filters(year=2000, session=third.id, period="会议期间")).rows
    assert sorted(r.number for r in during) == ["103-001", "103-002"] and {r.period for r in during} == {"会议期间"}
    year_2026 = statistics.for_year(flow.session, 2026)  # the year still reads every proposal of the year
    assert year_2026.totals.submitted == 1 + 4 and year_2026.periods == {"": 1, "会议期间": 2, "闭会期间": 2}
    year_rows = register.page(flow.session, office, register.Filters(year=2026)).rows
    assert sorted(r.number for r in year_rows) == ["103-001", "103-002", "103-003", "103-004", "2026-001"]
    assert flow.session.scalar(select(Proposal.number).where(Proposal.instance_id == before.id)) == "2026-001"


def test_the_office_is_refused_a_session_that_is_wrong_or_out_of_order(flow):
    _open(flow, 10, 3, "2026-03-02", "2026-03-05")
    for args, field in [((10, 3, "2026-06-01", "2026-06-02"), "meeting"),  # opened already
                        ((10, 2, "2026-06-01", "2026-06-02"), "starts_on"),  # before the latest
                        ((10, 4, "2026-03-04", "2026-03-08"), "starts_on"),  # during the last plenary
                        ((10, 4, "2026-06-05", "2026-06-01"), "ends_on"),
                        ((0, 4, "2026-06-01", "2026-06-02"), "term"),
                        ((10, "四", "2026-06-01", "2026-06-02"), "meeting"),
                        ((10, 4, "六月一日", "2026-06-02"), "starts_on"),
                        ((10, 4, "2026-06-01", "2026-06-02", "{届}{次}"), "number_format"),  # no {序号}
                        ((10, 4, "2026-06-01", "2026-06-02", "{号}-{序号}"), "number_format"),
                        ((10, 4, "2026-06-01", "2026-06-02", "{年}-{序号}"), "number_format"),  # the year's numbers
                        ((11, 3, "2026-06-01", "2026-06-02", "10{次}-{序号}"), "number_format"),  # 103-001 again
                        ((10, 4, "2026-06-01", "2026-06-02", "x" * 40 + "{序号}"), "number_format")]:
        with pytest.raises(FormInvalid) as refused:
            sessions.open_session(flow.session, *args)
        flow.session.rollback()
        assert field in refused.value.errors, (args, refused.value.errors)
    assert [s.name for s in sessions.every(flow.session)] == ["第十届第三次会议"]
