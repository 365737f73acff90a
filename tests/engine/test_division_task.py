"""任务分工督查 (P14): the 29 tasks load from processes/division_tasks.json; every item starts and closes; paths."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import clock
from engine.procedures.supervision import division
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.errors import FormInvalid, NotFound
from engine.models import OpenTask, Role, Unit, User
from engine.procedures.supervision.records import DivisionTask

from .flow import MONDAY, complete, open_rows
from .supervision_flow import clerk_of
from ..conftest import PROCESSES


@pytest.fixture
def s(deployed, both_backends):
    clock.set_now(MONDAY)
    return deployed


def do(session, user: User, instance, bpmn_id: str, data: dict) -> None:
    complete(session, user, instance, bpmn_id, data)


def record(session, instance) -> DivisionTask:
    session.expire_all()
    return session.scalars(select(DivisionTask).where(DivisionTask.instance_id == instance.id)).one()


def close(session, users, instance, contributions=True) -> None:
    if contributions:
        for row in open_rows(session, instance, "contribute"):
            do(session, clerk_of(session, row.candidate_unit), instance, "contribute",
               {"contribution_text": f"{row.candidate_unit} 配合完成"})
    for row in open_rows(session, instance, "report"):
        do(session, clerk_of(session, row.candidate_unit), instance, "report",
           {"completion": "已完成", "progress": "已制定制度并落实"})
    do(session, users.duban, instance, "accept", {"decision": "验收通过"})


def test_the_data_file_holds_the_29_tasks_of_the_plan():
    doc = json.loads((PROCESSES / "division_tasks.json").read_text(encoding="utf-8"))
    assert [t["number"] for t in doc["tasks"]] == list(range(1, 30))
    units = {u["code"] for u in json.loads((PROCESSES / "units.json").read_text(encoding="utf-8"))}
    items = division.items(PROCESSES)
    assert len(items) == 62
    for found in items:
        assert set(found.lead_units + found.participating_units) <= units, found.number
        assert found.lead_units or found.lead_groups, found.number
        assert found.text and found.units_text
    first = division.item("1", PROCESSES)
    assert first.lead_units == ("zxb",) and first.participating_units == ("xwb", "xcb", "zfb", "dx")
    assert not first.by_duty and "充分发挥人民政协" in first.text
    assert division.item("14(3)").lead_units == ("zzb", "tawyh")
    assert division.item("14(3)").participating_units == ("dcs", "zfdcs")
    assert division.item("2(2)").by_duty and division.item("2(2)").lead_units == ("zfb", "fgw", "czj", "fy", "jcy", "zxb")
    assert division.item("16(3)").lead_groups == ("县有关部门",) and division.item("16(3)").by_duty
    assert division.item("21(5)").lead_groups == ("政协委员所在单位",)
    assert division.item("5(1)").participating_groups == ("各人民团体", "有关部门单位")
    assert division.item("7(1)").lead_units == ("xwb", "zxb") and not division.item("7(1)").by_duty
    with pytest.raises(NotFound):
        division.item("30")


def test_every_item_of_the_29_tasks_can_be_started_and_closed(deployed, users):
    clock.set_now(MONDAY)
    for found in division.items(PROCESSES):
        extra = ["jyj"] if any(g != division.MEMBER_UNITS for g in found.groups) else []
        instance = division.start_item(deployed, users.duban, found.number, extra_units=extra, deadline="2026-06-30")
        deployed.commit()
        row = record(deployed, instance)
        assert row.item_no == found.number and row.title.startswith(f"任务{found.number}：")
        close(deployed, users, instance)
        deployed.refresh(instance)
        assert instance.status == "completed", found.number
        assert record(deployed, instance).status == "已办结"
    assert {task_no for task_no in (i.task_number for i in division.items(PROCESSES))} == set(range(1, 30))


def test_participants_contribute_lead_reports_supervisor_sends_back_then_accepts(s, users):
    instance = division.start_item(s, users.duban, "1", deadline="2026-06-30")
    s.commit()
    contribute = open_rows(s, instance, "contribute")
    assert sorted(r.candidate_unit for r in contribute) == ["dx", "xcb", "xwb", "zfb"]
    assert all(r.due_at.astimezone(clock.TZ).date().isoformat() == "2026-06-30" for r in contribute)
    assert record(s, instance).status == "参加单位报送中"
    with pytest.raises(NotFound):  # a unit that is not a participant gets nothing
        runtime.complete_task(s, users.czj_clerk, contribute[0].id, {"contribution_text": "x"})
    s.rollback()
    for row in contribute:
        do(s, clerk_of(s, row.candidate_unit), instance, "contribute", {"contribution_text": f"{row.candidate_unit}已配合"})
    (report,) = open_rows(s, instance, "report")
    assert report.candidate_unit == "zxb" and record(s, instance).status == "牵头单位报告中"
    zxb = clerk_of(s, "zxb")
    do(s, zxb, instance, "report", {"completion": "推进中", "progress": "已组织学习两次"})
    assert record(s, instance).status == "待督查验收"
    data = runtime.instance_data(s, instance)
    assert sorted(c["unit"] for c in data["contributions"]) == ["dx", "xcb", "xwb", "zfb"]
    assert data["progress_reports"] == [{"unit": "zxb", "completion": "推进中", "progress": "已组织学习两次", "status": "已报送"}]

    (accept,) = open_rows(s, instance, "accept")
    with pytest.raises(FormInvalid) as refused:  # sending back needs the requirements written down
        runtime.complete_task(s, users.duban, accept.id, {"decision": "退回整改"})
    s.rollback()
    assert refused.value.errors == {"opinion": "此项必填"}
    assert [r.bpmn_id for r in open_rows(s, instance)] == ["accept"]  # nothing changed
    do(s, users.duban, instance, "accept", {"decision": "退回整改", "opinion": "请补充学习计划"})
    assert [r.bpmn_id for r in open_rows(s, instance)] == ["report"]  # only the lead reports again
    assert (record(s, instance).rounds, record(s, instance).opinion) == (1, "请补充学习计划")
    do(s, zxb, instance, "report", {"completion": "已完成", "progress": "学习计划已印发"})
    do(s, users.duban, instance, "accept", {"decision": "验收通过"})
    s.refresh(instance)
    assert instance.status == "completed" and record(s, instance).status == "已办结"
    assert record(s, instance).closed_at is not None


def test_by_duty_items_make_every_listed_unit_report(s, users):
    instance = division.start_item(s, users.duban, "2(2)")
    s.commit()
    assert open_rows(s, instance, "contribute") == []  # no participants: straight to the units' reports
    assert sorted(r.candidate_unit for r in open_rows(s, instance, "report")) == ["czj", "fgw", "fy", "jcy", "zfb", "zxb"]


def test_groups_are_named_by_the_supervisor_or_taken_from_the_roster(s, users):
    with pytest.raises(FormInvalid) as refused:
        division.start_item(s, users.duban, "16(3)")
    assert "县有关部门" in refused.value.errors["extra_units"]
    with pytest.raises(FormInvalid):
        division.start_item(s, users.duban, "16(3)", extra_units=["nowhere"])
    s.rollback()
    data = division.start_data(s, "5(1)", extra_units=["jyj", "wjw"])
    assert data["participating_units"] == ["xwb", "rdb", "zfb", "jyj", "wjw"]
    data = division.start_data(s, "21(5)")
    assert data["lead_units"] == ["czj", "fgw", "jyj", "nmj", "wjw"]  # the demo members' work units
    instance = division.start_item(s, users.duban, "16(3)", extra_units=["nmj"])
    s.commit()
    assert [r.candidate_unit for r in open_rows(s, instance, "report")] == ["nmj"]


def test_only_supervisors_start_and_the_board_shows_each_item(s, users):
    from engine.errors import Forbidden

    with pytest.raises(Forbidden):
        division.start_item(s, users.member1, "1")
    s.rollback()
    division.start_item(s, users.duban, "6")
    s.commit()
    board = dict((found.number, row) for found, row in division.board(s))
    assert len(board) == 62 and board["6"].status == "参加单位报送中" and board["1"] is None
