"""县委's own duties recorded as events (第18, 30条): the office, 县委办 or 政府办 records CPPCC leaders at county
meetings, the 政协工作会议 and the standing committee hearing the party group."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import FormInvalid, Forbidden
from engine.procedures.yearly.records import CountyEvent

from .consultation_flow import START, ConsultationFlow

INVITED = {"event_kind": "政府全体会议或常务会议邀请政协领导列席", "title": "县政府第十次常务会议",
           "held_on": "2026-03-12", "cppcc_leaders": ["吴海（政协主席）", "李明（政协副主席）"],
           "event_note": "研究城区供热改造方案。"}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def events(flow) -> list[CountyEvent]:
    flow.session.expire_all()
    return list(flow.session.scalars(select(CountyEvent).order_by(CountyEvent.id)))


@pytest.mark.parametrize("username, unit", [("office1", "zxb"), ("xwb_clerk", "xwb"), ("zfb_clerk", "zfb")])
def test_each_office_records_an_event_and_it_is_done_at_once(flow, username, unit):
    instance = flow.start(username, "county_event", INVITED)
    assert flow.status(instance) == "completed" and flow.open_ids(instance) == []
    (event,) = events(flow)
    assert (event.kind, event.title, event.held_on.isoformat(), event.leaders, event.recorded_by_unit) == (
        INVITED["event_kind"], "县政府第十次常务会议", "2026-03-12", INVITED["cppcc_leaders"], unit)


def test_a_conference_needs_no_leaders_but_an_invitation_does(flow):
    flow.start("xwb_clerk", "county_event", {"event_kind": "县委政协工作会议", "title": "县委政协工作会议",
                                             "held_on": "2026-05-08"})
    with pytest.raises(FormInvalid) as refused:
        flow.start("office1", "county_event", {**INVITED, "cppcc_leaders": []})
    assert "cppcc_leaders" in refused.value.errors
    flow.session.rollback()
    assert [e.kind for e in events(flow)] == ["县委政协工作会议"]


def test_others_may_not_record(flow):
    with pytest.raises(Forbidden):
        flow.start("member1", "county_event", INVITED)
