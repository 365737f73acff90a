"""An outcome sent through the reusable 协商成果 diagram is counted whichever procedure called it."""
from __future__ import annotations

from sqlalchemy import select

from engine import clock
from engine.procedures.consultation.records import Instruction, Outcome

from .flow import MONDAY
from .supervision_flow import do, run_outcome
from .test_sheqing_paths import submit


def test_a_sheqing_outcome_is_recorded_with_its_instruction(deployed, users, both_backends):
    clock.set_now(MONDAY)
    s = deployed
    instance = submit(s, users, "member2")
    do(s, users.office1, instance, "screen", {"decision": "采用", "edited_title": "关于修复东风镇村道的建议"})
    do(s, users.office1, instance, "compile", {"issue_no": 3})
    s.expire_all()
    [outcome] = s.scalars(select(Outcome).where(Outcome.instance_id == instance.id)).all()
    assert (outcome.kind, outcome.title, outcome.source_process) == ("政协信息", "关于修复东风镇村道的建议", "sheqing")
    assert outcome.raised_by_members == ["member2"]

    run_outcome(s, users, instance, instruction="请交通部门抓紧修复。", impl_unit="nmj", feedback="已修复。")
    s.expire_all()
    outcome = s.scalars(select(Outcome).where(Outcome.instance_id == instance.id)).one()
    assert outcome.fed_back_on is not None
    assert s.scalars(select(Instruction.text).where(Instruction.outcome_id == outcome.id)).all() == ["请交通部门抓紧修复。"]


def test_reading_goes_to_the_leaders_of_the_office_it_was_sent_to(deployed, users):
    from engine.worklist import inbox

    clock.set_now(MONDAY)
    s = deployed
    instance = submit(s, users, "member2")
    do(s, users.office1, instance, "screen", {"decision": "采用", "edited_title": "关于修复东风镇村道的建议"})
    do(s, users.office1, instance, "compile", {"issue_no": 4})
    do(s, users.office1, instance, "send", {"doc_no": "政协信息〔2026〕4号", "sent_on": "2026-03-05",
                                          "send_county": True, "send_gov": False})
    do(s, users.xwb_clerk, instance, "county_receive", {"county_received_on": "2026-03-06",
                                                        "county_submitted_to": "钱进副书记"})
    county_read = [t for t in inbox.tasks_for(s, users.xwlingdao) if t.bpmn_id == "county_read"]
    assert len(county_read) == 1 and county_read[0].candidate_unit == "xwb"
    assert [t for t in inbox.tasks_for(s, users.lingdao) if t.bpmn_id == "county_read"] == []
