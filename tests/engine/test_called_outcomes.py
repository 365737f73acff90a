"""An outcome sent through the reusable 协商成果 diagram is counted whichever procedure called it."""
from __future__ import annotations

from sqlalchemy import select

from engine import clock
from engine.records.consultation import Instruction, Outcome

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
