"""社情民意信息 (P10): every path through the engine API on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.runtime import audit, verbs as runtime
from engine import clock
from engine.errors import Forbidden, FormInvalid
from engine.procedures.supervision.records import SheqingIssue, SheqingItem

from .flow import MONDAY
from .supervision_flow import do, open_ids, open_rows, run_outcome

SUBMIT = {"title": "农村道路破损影响春耕运输", "category": "社会", "content": "东风镇三条村道破损严重，春耕农资运输困难。",
          "suggestion": "列入今年农村公路养护计划。", "source": "群众反映"}


@pytest.fixture
def s(deployed, both_backends):
    clock.set_now(MONDAY)
    return deployed


def submit(s, users, username="member1", **extra):
    instance = runtime.start_instance(s, getattr(users, username), "sheqing", {**SUBMIT, **extra})
    s.commit()
    return instance


def item(s, instance) -> SheqingItem:
    s.expire_all()
    return s.scalars(select(SheqingItem).where(SheqingItem.instance_id == instance.id)).one()


def test_not_adopted_with_a_reason_the_member_sees(s, users):
    instance = submit(s, users)
    assert open_ids(s, instance) == ["screen"]
    record = item(s, instance)
    assert (record.number, record.status, record.submitter.username) == ("2026-001", "待筛选", "member1")
    (screen,) = open_rows(s, instance, "screen")
    with pytest.raises(FormInvalid) as refused:
        runtime.complete_task(s, users.office1, screen.id, {"decision": "不采用"})
    s.rollback()
    assert refused.value.errors == {"reason": "此项必填"} and open_ids(s, instance) == ["screen"]
    do(s, users.office1, instance, "screen", {"decision": "不采用", "reason": "已由县政府专项解决，不再编报。"})
    s.refresh(instance)
    record = item(s, instance)
    assert instance.status == "completed"
    assert (record.status, record.reason, record.issue_no) == ("不予采用", "已由县政府专项解决，不再编报。", None)
    assert record.screened_at is not None and record.closed_at is not None


def test_adopted_compiled_instructed_handled_and_fed_back(s, users):
    instance = submit(s, users, "member2")
    do(s, users.office1, instance, "screen", {"decision": "采用", "edited_title": "关于修复东风镇村道的建议"})
    assert item(s, instance).status == "已采用，待编报"
    do(s, users.office1, instance, "compile", {"issue_no": 3})
    assert open_ids(s, instance) == ["send"]  # inside the called 协商成果 diagram
    record = item(s, instance)
    assert (record.status, record.issue_no) == ("待报送", "2026年第3期")
    issue = s.scalars(select(SheqingIssue)).one()
    assert (issue.number, issue.year, issue.seq) == ("2026年第3期", 2026, 3)
    data = runtime.instance_data(s, instance)
    assert (data["outcome_kind"], data["outcome_title"]) == ("政协信息", "关于修复东风镇村道的建议")
    assert data["raised_by_members"] == ["member2"] and data["outcome_summary"] == SUBMIT["content"]

    run_outcome(s, users, instance, instruction="请交通部门抓紧修复。", impl_unit="nmj",
                feedback="钱进副书记已批示，县农牧局已组织修复。")
    s.refresh(instance)
    record = item(s, instance)
    assert instance.status == "completed" and record.status == "已反馈"
    assert record.instruction == "县委领导批示：请交通部门抓紧修复。"
    assert record.handling == [{"unit": "nmj", "impl_status": "已落实", "impl_report": "已组织专项整治。",
                                "reported_on": "2026-04-20"}]
    assert record.feedback == "钱进副书记已批示，县农牧局已组织修复。" and record.feedback_at is not None
    assert audit.verify(s, instance.id)


def test_read_without_instruction_still_feeds_back(s, users):
    instance = submit(s, users)
    do(s, users.office1, instance, "screen", {"decision": "采用"})
    do(s, users.office1, instance, "compile", {"issue_no": 1})
    run_outcome(s, users, instance)
    record = item(s, instance)
    assert record.status == "已反馈" and record.instruction is None and record.handling == []
    assert record.edited_title is None and record.feedback.startswith("您反映的情况")


def test_only_members_submit_and_content_is_limited(s, users):
    with pytest.raises(Forbidden):
        runtime.start_instance(s, users.office1, "sheqing", SUBMIT)
    s.rollback()
    with pytest.raises(FormInvalid) as refused:
        runtime.start_instance(s, users.member1, "sheqing", {**SUBMIT, "content": "字" * 1501})
    s.rollback()
    assert refused.value.errors == {"content": "内容过长（最多 1500 字）"}
    assert s.scalars(select(SheqingItem)).all() == []
