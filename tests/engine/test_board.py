"""年度看板: the catalogue covers the seed's 35 obligations and is checked; each kind of measure gives 已完成, 进行中,
有风险, 未完成 and 未到期 in turn from the records the procedures wrote (a forum run end to end through the engine for
the quarterly obligation; typed records for the others, as the projectors write them)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from engine import clock
from engine.board import obligations
from engine.errors import DeployError
from engine.models import Instance, ProcessVersion, Unit
from engine.procedures.consultation.records import Consultation, ConsultationPlan
from engine.procedures.proposal.records import Proposal

from .consultation_flow import START, ConsultationFlow

TOPIC = {"title": "关于推进县域冷链物流发展的协商", "topic_source": "县政府交办或提出", "raised_by_unit": "zfb", "lead_committee": "jjw",
         "leaders": "李副主席", "planned_date": "2026-03-20", "material_units": [], "gov_leaders": ["孙立（副县长）"]}


@pytest.fixture
def catalogue():
    return {o.id: o for o in obligations.load()}


def result(session, catalogue, oid: str, today: dt.date, year: int = 2026):
    return obligations.evaluate(session, [catalogue[oid]], year, today)[0]


def test_the_catalogue_has_every_obligation_of_the_seed_and_is_checked(catalogue, tmp_path):
    assert sorted(catalogue, key=lambda k: int(k[1:])) == [f"O{n}" for n in range(1, 36)]
    assert all(o.rule and o.source and o.owner for o in catalogue.values())
    rows = json.loads((obligations.DEFAULT_DIR / "obligations.json").read_text(encoding="utf-8"))
    rows[8]["measure"]["where"] = {"proces_key": "topical_meeting"}  # a typo an office could make
    (tmp_path / "obligations.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DeployError) as refused:
        obligations.load(tmp_path)
    assert "O9" in str(refused.value) and "proces_key" in str(refused.value)


def _instance(session, process_key: str) -> int:
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == process_key)).first()
    instance = Instance(version_id=version.id, process_key=process_key, title="t", state="{}", status="completed")
    session.add(instance)
    session.flush()
    return instance.id


def _plenary_meeting(session, n: int, when: dt.datetime) -> int:
    from engine.procedures.consultation.records import Meeting

    consultation = Consultation(instance_id=_instance(session, "plenary"), process_key="plenary", form="全体会议协商",
                                number=f"PL{n}", title="t", started_at=when)
    session.add(consultation)
    session.flush()
    meeting = Meeting(consultation_id=consultation.id, process_key="plenary", task_id=f"pl{n}", kind="会议")
    session.add(meeting)
    session.flush()
    return meeting.id


def _meeting(session, process_key: str, closed: dt.datetime | None, started: dt.datetime, **values) -> int:
    instance_id = _instance(session, process_key)
    session.add(Consultation(instance_id=instance_id, process_key=process_key, form="专题议政性常委会会议",
                             number="2026-001", title="t", started_at=started, closed_at=closed, **values))
    session.flush()
    return instance_id


def at(y, m, d) -> dt.datetime:
    return dt.datetime(y, m, d, 10, 0, tzinfo=clock.TZ)


# ------------------------------------------------------------------ count: two topical meetings a year (O9)

def test_a_count_is_done_running_at_risk_missed_and_not_yet_due(deployed, catalogue):
    s = deployed
    assert result(s, catalogue, "O9", dt.date(2026, 2, 2)).state == "running"  # nothing yet, a year to go
    assert result(s, catalogue, "O9", dt.date(2026, 11, 20)).state == "risk"  # 2 owed, < 80 working days left
    assert result(s, catalogue, "O9", dt.date(2025, 12, 1)).state == "future"
    first = _meeting(s, "topical_meeting", at(2026, 5, 10), at(2026, 4, 1))
    assert result(s, catalogue, "O9", dt.date(2026, 11, 20)).state == "risk"  # 1 owed, none under way, 29 days left
    _meeting(s, "topical_meeting", None, at(2026, 11, 2))  # under way: what is owed is being done
    running = result(s, catalogue, "O9", dt.date(2026, 11, 20))
    assert running.state == "running" and running.figure == "1 / 2" and running.instances == [first]
    assert result(s, catalogue, "O9", dt.date(2027, 1, 4)).state == "missed"  # the year is over, one short
    second = _meeting(s, "topical_meeting", at(2026, 12, 1), at(2026, 10, 1))
    done = result(s, catalogue, "O9", dt.date(2026, 12, 2))
    assert done.state == "done" and done.figure == "2 / 2" and done.instances == sorted([first, second])
    _meeting(s, "special_meeting", at(2026, 6, 1), at(2026, 5, 1))  # another kind of meeting counts elsewhere
    assert result(s, catalogue, "O10", dt.date(2026, 6, 2)).figure == "1 / 2"


def test_a_threshold_the_office_sets_replaces_the_catalogues(deployed, catalogue):
    _meeting(deployed, "topical_meeting", at(2026, 5, 10), at(2026, 4, 1))
    [r] = obligations.evaluate(deployed, [catalogue["O9"]], 2026, dt.date(2026, 6, 1), thresholds={"O9": 1})
    assert r.state == "done" and r.figure == "1 / 1"


# ------------------------------------------------------------------ each quarter: the forum run through the engine (O11)

def _forum(flow: ConsultationFlow) -> Instance:
    instance = flow.start("office1", "quarterly_forum", TOPIC)
    flow.meeting_to_outcome(instance, material_units=())
    flow.outcome_path(instance, gov=False, county_instruction=None)
    return instance


def test_each_quarter_through_a_forum_held_in_the_first(deployed, users):
    clock.set_now(START)
    flow = ConsultationFlow(deployed, users)
    forum = _forum(flow)
    assert flow.status(forum) == "completed"
    catalogue = {o.id: o for o in obligations.load()}
    april = result(deployed, catalogue, "O11", dt.date(2026, 4, 10))
    assert april.state == "running" and april.figure == "1 / 4 个季度" and april.instances == [forum.id]
    assert april.detail[0].startswith("第1季度：1 次") and "未到期" in april.detail[2]
    late_june = result(deployed, catalogue, "O11", dt.date(2026, 6, 24))  # the second quarter nearly gone, none begun
    assert late_june.state == "risk" and "有风险" in late_june.detail[1]
    assert result(deployed, catalogue, "O11", dt.date(2026, 7, 2)).state == "missed"  # Q2 passed without a forum


# ------------------------------------------------------------------ each of the departments (O12)

def test_each_department_needs_its_counterpart_consultation(deployed, catalogue):
    departments = list(deployed.scalars(select(Unit.code).where(Unit.kind == "dept")))
    for code in departments[:-1]:
        _meeting(deployed, "counterpart", at(2026, 6, 1), at(2026, 5, 1), counterpart_unit=code)
    short = result(deployed, catalogue, "O12", dt.date(2026, 6, 2))
    assert short.state == "running" and short.figure == f"{len(departments) - 1} / {len(departments)} 个单位"
    assert short.detail and "尚未开展" in short.detail[0]
    _meeting(deployed, "counterpart", at(2026, 7, 1), at(2026, 6, 1), counterpart_unit=departments[-1])
    assert result(deployed, catalogue, "O12", dt.date(2026, 7, 2)).state == "done"


# ------------------------------------------------------------------ a share: replies on time (O18)

def _proposal(session, n: int, due: dt.datetime, replied: dt.datetime | None, users) -> None:
    instance_id = _instance(session, "proposal")
    session.add(Proposal(instance_id=instance_id, number=f"2026-{n:03d}", title="t", proposer_id=users.member1.id,
                         submitted_at=at(2026, 1, 10), reply_due=due, replied_at=replied, decision="立案"))
    session.flush()


def test_a_share_of_replies_on_time(deployed, catalogue, users):
    assert result(deployed, catalogue, "O18", dt.date(2026, 5, 1)).figure == "无"
    for n in range(9):
        _proposal(deployed, n, at(2026, 6, 30), at(2026, 6, 1), users)
    _proposal(deployed, 9, at(2026, 6, 30), at(2026, 7, 15), users)  # late
    on_time = result(deployed, catalogue, "O18", dt.date(2026, 8, 1))
    assert on_time.state == "done" and on_time.value == 0.9
    _proposal(deployed, 10, at(2026, 6, 30), at(2026, 7, 20), users)
    late = result(deployed, catalogue, "O18", dt.date(2026, 8, 1))
    assert late.state == "running" and late.figure.startswith("9 / 11")
    assert result(deployed, catalogue, "O18", dt.date(2027, 1, 5)).state == "missed"


# ------------------------------------------------------------------ a date before another: the plan and the plenary (O4)

def test_the_plan_decided_before_the_plenary(deployed, catalogue):
    plan = _instance(deployed, "annual_plan")
    deployed.add(ConsultationPlan(instance_id=plan, number="2026-001", year=2026, created_at=at(2026, 1, 5),
                                  plenary_on=dt.date(2026, 2, 20)))  # the plan records the plenary's date
    deployed.flush()
    assert result(deployed, catalogue, "O4", dt.date(2026, 1, 6)).state == "running"
    assert result(deployed, catalogue, "O4", dt.date(2026, 2, 2)).state == "risk"  # < 20 working days to the plenary
    assert result(deployed, catalogue, "O4", dt.date(2026, 2, 21)).state == "missed"
    deployed.get(ConsultationPlan, 1).standing_meeting_on = dt.date(2026, 2, 10)
    deployed.flush()
    assert result(deployed, catalogue, "O4", dt.date(2026, 2, 21)).state == "done"
    deployed.get(ConsultationPlan, 1).standing_meeting_on = dt.date(2026, 2, 20)  # on the plenary's day: too late
    deployed.flush()
    late = result(deployed, catalogue, "O4", dt.date(2026, 2, 21))
    assert late.state == "missed" and late.figure == "2026-02-20 审定，2026-02-20 全体会议"


def test_every_obligation_is_measured_and_one_with_no_record_would_say_why(deployed, catalogue):
    assert [o.id for o in catalogue.values() if o.measure["kind"] == "unmeasured"] == []
    unrecorded = obligations.Obligation(id="O99", source="第1条", area="测试", owner="政协办公室", rule="无记录的义务",
                                        measure={"kind": "unmeasured", "reason": "尚无记录"})
    r = obligations.evaluate(deployed, [unrecorded], 2026, dt.date(2026, 6, 1))[0]
    assert r.state == "unmeasured" and r.note == "尚无记录"


def test_every_obligation_evaluates_on_an_empty_year(deployed, catalogue):
    results = obligations.evaluate(deployed, list(catalogue.values()), 2026, dt.date(2026, 6, 1))
    assert len(results) == 35 and all(r.state in obligations.STATES for r in results)


# ------------------------------------------------------------------ every obligation: done, missed, at risk in turn

def _value(column, wanted, when: dt.datetime):
    """A value for `column` that passes the measure's condition `wanted`."""
    if isinstance(wanted, list):
        return wanted[0]
    if isinstance(wanted, dict):  # not_null: a value of the column's kind
        kind = column.type.__class__.__name__
        return when.date() if kind == "Date" else when if "DateTime" in kind else (
            True if kind == "Boolean" else "x")
    return wanted


def _row(session, users, name: str, values: dict, n: int):
    """A typed record of source `name`, as its projector writes one, with `values` on top of its required columns."""
    from engine.board import sources
    from engine.procedures.consultation.records import Outcome

    model = sources.SOURCES[name].model
    when = at(2026, 3, 15)
    base = {"plans": {"number": f"P{n}", "created_at": when},
            "consultations": {"process_key": "topical_meeting", "form": "协商", "number": f"C{n}", "title": "t",
                              "started_at": when},
            "outcomes": {"call_id": f"c{n}", "source_process": "plenary", "kind": "协商成果", "created_at": when},
            "instructions": {"task_id": f"i{n}", "channel": "county"},
            "implementations": {"task_id": f"m{n}", "channel": "county", "unit_code": "fgw", "status": "已落实"},
            "proposals": {"number": f"2026-{n:03d}", "title": "t", "proposer_id": users.member1.id, "submitted_at": when},
            "appraisals": {"number": f"A{n}", "subject": "t", "started_at": when},
            "inspections": {"number": f"I{n}", "title": "t", "started_at": when},
            "sheqing": {"number": f"S{n}", "title": "t", "submitter_id": users.member1.id, "submitted_at": when},
            "duty_assessments": {"user_id": users.member1.id, "year": 2026},
            "division_tasks": {"item_no": n, "title": "t", "started_at": when},
            "year_plans": {"kind": "界别活动", "number": f"Y{n}", "created_at": when},
            "county_events": {"kind": "县委政协工作会议", "title": "t", "held_on": when.date(), "created_at": when},
            "plenary_leaderships": {}}[name]
    if name == "plenary_leaderships":
        base["meeting_id"] = _plenary_meeting(session, n, when)
    columns = model.__table__.c
    if "instance_id" in columns:
        base["instance_id"] = _instance(session, values.get("process_key") or base.get("process_key") or "proposal")
    if "outcome_id" in columns:
        outcome = Outcome(instance_id=_instance(session, "quarterly_forum"), call_id=f"o{n}", source_process="x",
                          kind="协商成果", created_at=when)
        session.add(outcome)
        session.flush()
        base["outcome_id"] = outcome.id
    session.add(model(**{**base, **values}))
    session.flush()


def _meeting_values(measure: dict, date_value: dt.datetime, *, passing: bool) -> dict:
    """Values that put a row in the measure's set (`where`) on its date, meeting its `part` or not."""
    from engine.board import sources

    model = sources.SOURCES[measure["source"]].model
    values = {}
    for field_name, wanted in (measure.get("where") or {}).items():
        if field_name == "any":  # one of them is enough: the first
            field_name, wanted = next(iter(wanted.items()))
        values[field_name] = _value(getattr(model, field_name), wanted, date_value)
    if measure.get("date"):
        column = getattr(model, measure["date"])
        values[measure["date"]] = date_value.date() if column.type.__class__.__name__ == "Date" else date_value
    for field_name, wanted in (measure.get("part") or {}).items():
        if field_name == "any_not_null":
            values[wanted[0]] = date_value.date() if passing else None
        elif isinstance(wanted, dict) and "before" in wanted:
            values[field_name], values[wanted["before"]] = (date_value, at(2026, 12, 31) if passing else
                                                            at(2026, 1, 2))
        elif passing:
            values[field_name] = _value(getattr(model, field_name), wanted, date_value)
        else:
            values[field_name] = None if isinstance(wanted, dict) else (not wanted if isinstance(wanted, bool) else "x")
    return values


MEASURED = [o for o in obligations.load() if o.measure["kind"] in ("count", "share", "each_of")
            and o.measure["source"] != "members_duty"]


@pytest.mark.parametrize("obligation", MEASURED, ids=[o.id for o in MEASURED])
def test_each_obligation_is_met_missed_and_at_risk_by_the_years_records(deployed, users, obligation):
    s, m = deployed, obligation.measure
    need = max(1, int(obligation.threshold)) if m["kind"] == "count" else 1
    if m["kind"] == "share":  # a row that fails the part: too little time left to make it up, then the year is over
        _row(s, users, m["source"], _meeting_values(m, at(2026, 3, 15), passing=False), 900)
    states = [r.state for r in (obligations.evaluate(s, [obligation], 2026, day)[0]
                                for day in (dt.date(2026, 12, 29), dt.date(2027, 1, 5)))]
    if obligation.record_only:
        assert states == ["running", "missed"]
    else:
        assert states == ["risk", "missed"]
    keys = [None]
    if m["kind"] == "each_of":
        from engine.board import sources

        keys = sources.members_of(s, m["of"])
    s.rollback()
    for n, key in enumerate(keys * need):
        values = _meeting_values(m, at(2026, 3, 15), passing=True)
        if key:
            values[m["key"]] = key
        _row(s, users, m["source"], values, n + 1)
    done = obligations.evaluate(s, [obligation], 2026, dt.date(2026, 12, 29))[0]
    assert done.state == "done", (done.figure, done.note)


def test_every_date_an_obligation_counts_a_year_over_is_indexed(catalogue):
    """A year's figures are range scans: a date column with no index would read every record ever kept."""
    from engine.board import sources

    dated = set()
    for o in catalogue.values():
        m = o.measure
        if m.get("date") and m["source"] in sources.SOURCES:
            dated.add((m["source"], m["date"]))
        if m.get("then"):
            dated.add((m["then"]["source"], m["then"]["field"]))
    assert len(dated) > 10
    unindexed = sorted((name, column) for name, column in dated
                       if column not in {list(ix.columns)[0].name
                                         for ix in sources.SOURCES[name].model.__table__.indexes})
    assert unindexed == []
