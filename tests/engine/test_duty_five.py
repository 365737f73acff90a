"""五个一 computed from what the workflows recorded, and the attendance report for 组织部, 统战部 and units."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from engine import clock
from engine.procedures.duty import report as duty
from engine.worklist import inbox
from engine.runtime import verbs as runtime
from engine.procedures.consultation.records import Attendance, Consultation, Meeting, Speech

from .flow import MONDAY, SUBMIT
from .supervision_flow import do

SHEQING = {"title": "城区停车难", "category": "社会", "content": "老城区停车位不足。"}


@pytest.fixture
def s(deployed, both_backends):
    clock.set_now(MONDAY)
    return deployed


def plenary(s, users, present, excused=(), speeches=(), held_on=dt.date(2026, 3, 10)):
    """A plenary session whose 全体会议记录 step recorded who was present (rows as the P2 projection writes them)."""
    instance = runtime.start_instance(s, users.office1, "plenary", {
        "title": "政协开鲁县第十一届委员会第五次会议", "session_start": "2026-03-10", "session_end": "2026-03-12"})
    s.flush()
    consultation_id = s.scalar(select(Consultation.id).where(Consultation.instance_id == instance.id))
    meeting_id = s.execute(insert(Meeting).values(
        consultation_id=consultation_id, process_key="plenary", task_id=f"record-{instance.id}", kind="会议",
        title="第五次全体会议", held_on=held_on)).inserted_primary_key[0]
    rows = [{"meeting_id": meeting_id, "category": "委员", "name": u, "username": u, "status": "出席"} for u in present]
    rows += [{"meeting_id": meeting_id, "category": "委员", "name": u, "username": u, "status": "请假"} for u in excused]
    s.execute(insert(Attendance), rows)
    for username in speeches:
        s.execute(insert(Speech).values(consultation_id=consultation_id, task_id=f"speech-{username}",
                                        username=username, submitted=True, title="关于发展设施农业的发言"))
    s.commit()


def inspection_with(s, users, team, attended, finish=True):
    instance = runtime.start_instance(s, users.office1, "inspection", {
        "title": "城区供暖", "kind": "视察", "source": "县委委托", "rationale": "群众关注供暖质量。"})
    s.commit()
    do(s, users.zhuxi, instance, "approve", {"approval": "同意"})
    do(s, users.office1, instance, "build_team", {"team": team, "team_leader": "吴海"})
    for username in team:
        do(s, getattr(users, username), instance, "fieldwork", {"attended": username in attended})
    if finish:
        do(s, users.nyw_clerk, instance, "draft", {"report_title": "供暖视察报告", "draft_report": "初稿"})
        do(s, users.nyw_clerk, instance, "expert_review", {"experts": "专家", "expert_opinion": "可行", "conclusion": "论证通过"})
        do(s, users.zhuxi, instance, "finalize", {"final_report": "定稿"})


def test_a_member_who_did_everything_meets_the_five_and_one_who_did_not_is_told_what_is_missing(s, users):
    proposal = runtime.start_instance(s, users.member1, "proposal", {**SUBMIT, "cosigners": ["member2", "member3"]})
    s.commit()
    for username, agree in (("member2", True), ("member3", False)):  # only a confirmed co-signer counts
        [task] = [t for t in inbox.tasks_for(s, getattr(users, username)) if t.instance_id == proposal.id]
        runtime.complete_task(s, getattr(users, username), task.id, {"cosign_agree": agree})
        s.commit()
    runtime.start_instance(s, users.member1, "sheqing", SHEQING)
    runtime.start_instance(s, users.member2, "sheqing", SHEQING)
    s.commit()
    plenary(s, users, present=["member1", "member2"], excused=["member3"], speeches=["member2"])
    inspection_with(s, users, team=["member1", "member2"], attended=["member1"])

    found = {r.username: r for r in duty.records(s, 2026)}
    one = found["member1"]
    assert one.complete and one.missing == []
    assert one.item("proposal").evidence == [f"{proposal.business_key} {SUBMIT['title']}（领衔）"]
    assert one.item("sheqing").count == 1 and one.item("plenary").evidence == ["2026-03-10 第五次全体会议"]
    assert one.item("activity").evidence == ["2026-03-02 视察：城区供暖"]
    assert one.item("speech_or_report").evidence == ["调研视察报告：城区供暖"]
    assert (one.term, one.sector, one.unit) == ("第十一届", "经济界", "县财政局")

    two = found["member2"]
    assert two.missing == ["参加政协活动"]  # on the team, but did not take part
    assert two.item("proposal").evidence[0].endswith("（联名）")
    assert two.item("speech_or_report").evidence == ["大会发言：关于发展设施农业的发言"]

    three = found["member3"]  # excused from the plenary, nothing else
    assert three.missing == ["参加全体会议", "提交提案", "报送社情民意", "参加政协活动", "大会发言或调研视察报告"]
    assert "member4" in found and "office1" not in found
    earlier = {r.username: r for r in duty.records(s, 2025)}["member1"]  # nothing of 2026 counts for 2025 …
    assert earlier.missing == ["参加全体会议", "提交提案", "报送社情民意", "参加政协活动"]  # … but the term's report does


def test_the_per_term_item_counts_any_year_of_the_term(s, users):
    plenary(s, users, present=["member2"], speeches=["member2"])
    clock.set_now(MONDAY.replace(year=2027))
    assert duty.record_for(s, users.member2.id, 2027).item("speech_or_report").met is False  # term 2022–2026 ended
    assert duty.record_for(s, users.member2.id, 2026).item("speech_or_report").met is True
    assert duty.record_for(s, users.member2.id, 2026).item("plenary").met is True
    assert duty.record_for(s, users.member2.id, 2027).item("plenary").met is False


def test_attendance_report_for_the_organisation_departments_and_the_members_units(s, users):
    plenary(s, users, present=["member1"], excused=["member3"])
    inspection_with(s, users, team=["member1", "member2"], attended=["member1"], finish=False)
    everyone = duty.attendance(s, 2026)
    assert [(r["name"], r["kind"], r["status"]) for r in everyone] == [
        ("刘芳（委员）", "视察", "缺席"), ("张明（委员）", "视察", "出席"),
        ("张明（委员）", "全体会议", "出席"), ("陈伟（委员）", "全体会议", "请假")]
    czj_only = duty.attendance(s, 2026, unit_code="czj")  # member1 works at 县财政局
    assert {r["username"] for r in czj_only} == {"member1"} and czj_only[0]["unit"] == "县财政局"
    assert duty.attendance(s, 2026, unit_code="xcb") == []


def test_the_boards_five_and_one_obligation_reads_the_members_records(s, users):
    """O30 (every member meets the 五个一) counts the members whose record is complete, over every active member."""
    from engine.board import obligations

    [o30] = [o for o in obligations.load() if o.id == "O30"]
    runtime.start_instance(s, users.member1, "proposal", SUBMIT)
    runtime.start_instance(s, users.member1, "sheqing", SHEQING)
    s.commit()
    plenary(s, users, present=["member1"])
    inspection_with(s, users, team=["member1"], attended=["member1"])
    members = duty.records(s, 2026)
    complete = [r.username for r in members if r.complete]
    assert complete == ["member1"] and len(members) > 3

    late, over = (obligations.evaluate(s, [o30], 2026, day)[0] for day in (dt.date(2026, 12, 29), dt.date(2027, 1, 5)))
    assert (late.state, over.state) == ("risk", "missed")  # 60 working days to bring the others up: too few left
    assert late.figure.startswith(f"1 / {len(members)}") and late.value == pytest.approx(1 / len(members))
    early = obligations.evaluate(s, [o30], 2026, dt.date(2026, 6, 1))[0]
    assert early.state == "running"
    met = obligations.evaluate(s, [o30], 2026, dt.date(2026, 12, 29), thresholds={"O30": 1 / len(members)})[0]
    assert met.state == "done"  # the office's lower threshold is met by the one complete member
