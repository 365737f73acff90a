"""民主评议 (P11): every path through the engine API on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import clock
from engine.runtime import verbs as runtime
from engine.errors import Forbidden, FormInvalid
from engine.procedures.supervision.records import Appraisal, Participation

from .flow import MONDAY
from .supervision_flow import clerk_of, do, open_ids, open_rows, run_outcome

START = {"subject": "县农牧局惠农补贴发放工作", "target_unit": "nmj", "reason": "群众反映补贴发放不及时。",
         "team": ["member1", "member2"], "methods": ["调研", "问卷调查"], "meeting_date": "2026-05-20"}
MEETING = {"rating": "基本满意", "report": "补贴发放总体规范，个别乡镇公示不到位。", "requirements": "一、全面公示；二、建立台账。"}


@pytest.fixture
def s(deployed, both_backends):
    clock.set_now(MONDAY)
    return deployed


def appraisal(s, instance) -> Appraisal:
    s.expire_all()
    return s.scalars(select(Appraisal).where(Appraisal.instance_id == instance.id)).one()


def to_rectify(s, users):
    instance = runtime.start_instance(s, users.changweihui, "appraisal", START)
    s.commit()
    assert open_ids(s, instance) == ["plan"] and appraisal(s, instance).status == "制定评议方案"
    do(s, users.office1, instance, "plan", {"plan": "五月上旬调研，五月中旬问卷，五月二十日评议会议。"})
    research = open_rows(s, instance, "research")
    assert sorted(r.candidate_user for r in research) == ["member1", "member2"]
    do(s, users.member1, instance, "research", {"attended": True, "findings": "两个乡镇未公示。"})
    do(s, users.member2, instance, "research", {"attended": False})
    do(s, users.changweihui, instance, "meeting", MEETING)
    (rectify,) = open_rows(s, instance, "rectify")
    assert rectify.candidate_unit == "nmj" and appraisal(s, instance).status == "整改中"
    return instance


def test_appraisal_rectified_accepted_and_forwarded(s, users):
    instance = to_rectify(s, users)
    nmj = clerk_of(s, "nmj")
    do(s, nmj, instance, "rectify", {"rectification": "已在全部乡镇公示，建立发放台账。", "rectify_done_on": "2026-07-01"})
    do(s, users.changweihui, instance, "review", {"review_decision": "认可"})
    assert open_ids(s, instance) == ["send"]
    record = appraisal(s, instance)
    assert record.status == "成果待报送" and record.rating == "基本满意"
    from engine.runtime import verbs as rt

    data = rt.instance_data(s, instance)
    assert data["outcome_kind"] == "民主评议报告" and data["outcome_title"] == "关于县农牧局惠农补贴发放工作的民主评议报告"
    assert "整改情况：已在全部乡镇公示" in data["outcome_summary"] and data["raised_by_members"] == ["member1", "member2"]
    run_outcome(s, users, instance, instruction="请县农牧局巩固整改成果。", impl_unit="nmj")
    s.refresh(instance)
    record = appraisal(s, instance)
    assert instance.status == "completed" and record.status == "评议完成" and record.closed_at is not None
    assert record.rectification == "已在全部乡镇公示，建立发放台账。"
    taken = {(p.user_id, p.attended) for p in s.scalars(select(Participation).where(Participation.instance_id == instance.id))}
    assert taken == {(users.member1.id, True), (users.member2.id, False)}


def test_rectification_sent_back_then_accepted(s, users):
    instance = to_rectify(s, users)
    nmj = clerk_of(s, "nmj")
    do(s, nmj, instance, "rectify", {"rectification": "正在整改。"})
    (review,) = open_rows(s, instance, "review")
    with pytest.raises(FormInvalid) as refused:
        runtime.complete_task(s, users.changweihui, review.id, {"review_decision": "退回补充"})
    s.rollback()
    assert refused.value.errors == {"review_opinion": "此项必填"} and open_ids(s, instance) == ["review"]
    do(s, users.changweihui, instance, "review", {"review_decision": "退回补充", "review_opinion": "请附台账。"})
    assert open_ids(s, instance) == ["rectify"] and appraisal(s, instance).status == "整改中"
    do(s, nmj, instance, "rectify", {"rectification": "已附台账。"})
    do(s, users.changweihui, instance, "review", {"review_decision": "认可"})
    assert open_ids(s, instance) == ["send"] and appraisal(s, instance).rectification == "已附台账。"


def test_only_the_standing_committee_starts_and_the_unit_must_exist(s, users):
    with pytest.raises(Forbidden):
        runtime.start_instance(s, users.office1, "appraisal", START)
    s.rollback()
    with pytest.raises(FormInvalid) as refused:
        runtime.start_instance(s, users.changweihui, "appraisal", {**START, "target_unit": "nowhere"})
    s.rollback()
    assert "nowhere" in refused.value.errors["target_unit"]
    assert s.scalars(select(Appraisal)).all() == []
