"""The obligations the sub-plans and the county's events feed (O14, O32–O34): each goes from not done to done as the
procedures record what the seed asks, run through the engine as the web runs them."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import clock
from engine.board import obligations

from .consultation_flow import START, ConsultationFlow

LATE = dt.date(2026, 12, 29)


@pytest.fixture
def flow(deployed, users):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


@pytest.fixture(scope="module")
def catalogue():
    return {o.id: o for o in obligations.load()}


def state(flow, catalogue, oid: str, year: int = 2026, today: dt.date = LATE):
    return obligations.evaluate(flow.session, [catalogue[oid]], year, today)[0]


def event(flow, username: str, kind: str, held_on: str, **extra):
    return flow.start(username, "county_event", {"event_kind": kind, "title": "会议", "held_on": held_on, **extra})


def test_o14_each_liaison_group_needs_an_approved_yearly_plan(flow, catalogue):
    before = state(flow, catalogue, "O14")
    assert before.state == "risk" and before.figure == "0 / 2 个活动组"
    for group in ("开鲁镇委员联络组", "东风镇委员联络组"):
        plan = flow.start("jiebie", "sector_plan", {"title": f"{group}活动计划", "plan_year": 2026, "sector_group": group,
                                                    "activities": [{"title": "座谈会", "activity_kind": "座谈会",
                                                                    "planned_date": "2026-06-01"}]})
        one = state(flow, catalogue, "O14")
        assert one.state != "done"  # drawn up is not approved
        flow.do("office1", plan, "review", {"plan_decision": "同意"})
    after = state(flow, catalogue, "O14")
    assert after.state == "done" and after.figure == "2 / 2 个活动组" and len(after.instances) == 2
    assert after.detail == ["东风镇委员联络组：计划 1 项，已开展 0 项，已办结 0 项",
                            "开鲁镇委员联络组：计划 1 项，已开展 0 项，已办结 0 项"]
    clock.set_now(dt.datetime(2026, 6, 1, 10, 0, tzinfo=clock.TZ))
    assert flow.tick()["started"] == 2  # each plan's activity starts on its date
    assert state(flow, catalogue, "O14").detail[0] == "东风镇委员联络组：计划 1 项，已开展 1 项，已办结 0 项"


def test_o32_invitations_to_county_meetings_are_counted(flow, catalogue):
    assert state(flow, catalogue, "O32").state == "running"
    assert state(flow, catalogue, "O32", today=dt.date(2027, 1, 4)).state == "missed"
    event(flow, "zfb_clerk", "政府全体会议或常务会议邀请政协领导列席", "2026-03-12", cppcc_leaders=["吴海（政协主席）"])
    event(flow, "xwb_clerk", "县委重要会议安排政协领导参加", "2026-04-02", cppcc_leaders=["李明（政协副主席）"])
    event(flow, "office1", "县委政协工作会议", "2026-05-08")  # not an invitation
    done = state(flow, catalogue, "O32")
    assert done.state == "done" and done.value == 2


def test_o33_a_work_conference_once_in_the_term(flow, catalogue):
    assert state(flow, catalogue, "O33", year=2024, today=dt.date(2024, 6, 1)).state == "running"
    assert state(flow, catalogue, "O33", year=2026, today=LATE).state == "risk"
    clock.set_now(dt.datetime(2024, 6, 1, 9, 0, tzinfo=clock.TZ))
    event(flow, "xwb_clerk", "县委政协工作会议", "2024-05-30")
    # held in 2024, it counts for every year of the term 2022–2026
    for year in (2022, 2024, 2026):
        assert state(flow, catalogue, "O33", year=year, today=LATE.replace(year=year)).state == "done"
    assert state(flow, catalogue, "O33", year=2026).deadline == dt.date(2026, 12, 31)


def test_o34_the_standing_committee_hears_the_party_group_each_year(flow, catalogue):
    assert state(flow, catalogue, "O34").state == "risk"
    event(flow, "xwb_clerk", "县委常委会听取政协党组工作汇报", "2026-02-10")
    assert state(flow, catalogue, "O34").state == "done"
    assert state(flow, catalogue, "O34", year=2027, today=dt.date(2027, 12, 29)).state == "risk"  # each year anew


def test_o7_every_leadership_attends_the_plenary(flow, catalogue):
    from .consultation_flow import RECORD

    before = state(flow, catalogue, "O7")
    assert before.state == "risk" and before.figure == "0 / 5 个领导班子"
    instance = flow.start("office1", "plenary", {"title": "第五次会议", "session_start": "2026-01-10",
                                                 "session_end": "2026-01-12", "briefing_needed": False,
                                                 "speech_members": []})
    flow.do("office1", instance, "select_speeches", {})
    flow.do("office1", instance, "record", {**RECORD, "held_on": "2026-01-10",
                                            "leaderships_present": ["县委", "县人大常委会", "县政府", "县人民法院"]})
    short = state(flow, catalogue, "O7")
    assert short.state != "done" and short.detail == ["尚未开展：县人民检察院"]
    second = flow.start("office1", "plenary", {"title": "第五次会议（续）", "session_start": "2026-01-12",
                                               "session_end": "2026-01-12", "briefing_needed": False,
                                               "speech_members": []})
    flow.do("office1", second, "select_speeches", {})
    flow.do("office1", second, "record", {**RECORD, "held_on": "2026-01-12", "leaderships_present": ["县人民检察院"]})
    done = state(flow, catalogue, "O7")
    assert done.state == "done" and done.figure == "5 / 5 个领导班子" and set(done.instances) == {instance.id, second.id}
