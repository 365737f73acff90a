"""提案统计 against what the test did: proposals driven through the engine as the web drives them (submission,
review, assignment, 签收 on time, late and by silence, replies on time and overdue, 不满意 → 重新办理), each one's
expected contribution written down as it happens, and the figures compared with counts made here from that list."""
from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

import pytest
from openpyxl import load_workbook

from engine import clock
from engine.procedures.proposal import statistics
from engine.procedures.proposal.statistics_book import workbook

from .flow import ACCEPT, LEADERS, MONDAY, OVERSEE, REPLY_A, SATISFIED, SIGN, Flow


@dataclass
class Done:
    """What one proposal went through, as the test made it happen."""
    proposer: str
    category: str
    decision: str | None = None
    unit: str | None = None
    is_key: bool = False
    cosigned_by: list[str] = field(default_factory=list)
    accepted_on_time: bool | None = None  # None: not accepted
    reply_due: dt.datetime | None = None  # the first reply's deadline
    replied_at: dt.datetime | None = None
    result_class: str | None = None
    satisfaction: str | None = None
    satisfaction_work: str | None = None
    contact_method: str | None = None
    rehandled: bool = False


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(MONDAY)
    return Flow(deployed, users)


def _due(flow, instance) -> dt.datetime:
    return flow.open(instance, "handle")[0].due_at


def _drive(flow) -> tuple[dict, dict]:
    done: dict[str, Done] = {}
    instances = {}

    def submit(key, proposer, category, **extra):
        instances[key] = flow.submit(proposer, category=category, **extra)
        done[key] = Done(proposer, category)

    def review(key, decision, **extra):
        flow.do("tiwei", instances[key], "review", {"decision": decision, **extra})
        done[key].decision, done[key].is_key = decision, bool(extra.get("is_key"))

    def assign(key, unit):
        flow.do("office1", instances[key], "assign", {"lead_unit": unit})
        done[key].unit = unit

    def reply(key, unit, result_class, contact="面对面"):
        flow.do(f"{unit}_clerk", instances[key], "handle",
                {**REPLY_A, "result_class": result_class, "contact_method": contact})
        flow.do(f"{unit}_leader", instances[key], "sign_off", SIGN)  # the reply reaches the proposer now
        done[key].replied_at, done[key].result_class, done[key].contact_method = clock.now(), result_class, contact

    submit("key", "member1", "社会", cosigners=["member2", "member3"])
    flow.do("member2", instances["key"], "cosign", {"cosign_agree": True})
    flow.do("member3", instances["key"], "cosign", {"cosign_agree": False})
    done["key"].cosigned_by = ["member2"]
    submit("late", "member2", "经济")
    submit("rejected", "member3", "文化")
    submit("merged", "member4", "社会")
    submit("silent", "member1", "经济")
    submit("pending", "member5", "生态文明")

    review("key", "立案", is_key=True, **LEADERS)
    review("late", "立案")
    review("rejected", "不立案", reason="属于个人诉求")
    review("merged", "并案", reason="同题", merge_into=flow.proposal(instances["key"]).number)
    review("silent", "立案", is_key=True, **LEADERS)
    for key, unit in (("key", "czj"), ("late", "czj"), ("silent", "fgw")):
        assign(key, unit)

    flow.do("czj_clerk", instances["key"], "accept", ACCEPT)  # the same day: on time
    done["key"].accepted_on_time, done["key"].reply_due = True, _due(flow, instances["key"])
    clock.set_now(MONDAY + dt.timedelta(days=12))  # past the 7 working days; no timer has fired yet
    flow.do("czj_clerk", instances["late"], "accept", ACCEPT)  # late
    done["late"].accepted_on_time, done["late"].reply_due = False, _due(flow, instances["late"])
    assert flow.tick(days=0) == 1  # fgw said nothing: 逾期视为签收, not on time
    assert flow.open_ids(instances["silent"]) == ["handle", "lead_meeting"]
    done["silent"].accepted_on_time, done["silent"].reply_due = False, _due(flow, instances["silent"])

    reply("key", "czj", "A")  # well before its deadline
    flow.do("zhuxi", instances["key"], "oversight_review", OVERSEE)
    flow.do("member1", instances["key"], "satisfaction", SATISFIED)
    done["key"].satisfaction = done["key"].satisfaction_work = "满意"
    flow.do("member4", instances["merged"], "satisfaction_merged", {"satisfaction_work": "满意", "satisfaction": "基本满意"})

    flow.tick(days=100)  # both other deadlines pass; 督办 is reminded
    reply("late", "czj", "B", contact="电话")  # overdue
    flow.do("member2", instances["late"], "satisfaction",
            {"satisfaction_work": "不满意", "satisfaction": "满意", "satisfaction_comment": "没有联系沟通"})
    assert "rehandle" in flow.open_ids(instances["late"])  # 办理工作不满意 alone sends it back
    flow.do("czj_clerk", instances["late"], "rehandle",
            {**REPLY_A, "contact_method": "电话", "result_class": "C", "reasons": "受财力所限"})
    flow.do("czj_leader", instances["late"], "sign_off", SIGN)
    flow.do("member2", instances["late"], "satisfaction_again", {"satisfaction_work": "基本满意", "satisfaction": "不满意",
                                                                  "satisfaction_comment": "仍未解决"})
    done["late"].result_class, done["late"].rehandled = "C", True
    done["late"].satisfaction, done["late"].satisfaction_work = "不满意", "基本满意"
    clock.advance(dt.timedelta(days=3))  # "silent" is still not answered
    return done, instances


def test_the_year_figures_are_the_counts_of_what_happened(flow):
    clock.set_now(MONDAY - dt.timedelta(days=80))  # December of the year before: another year's proposal
    flow.submit("member1", category="社会")
    clock.set_now(MONDAY)
    done, instances = _drive(flow)
    now = clock.now()
    stats = statistics.for_year(flow.session, 2026)
    every = list(done.values())

    decisions = Counter(d.decision for d in every)
    assert stats.totals == statistics.Totals(len(every), decisions["立案"], decisions["不立案"], decisions["并案"],
                                             decisions[None])
    assert statistics.for_year(flow.session, 2025).totals.submitted == 1

    assert {(c.category, c.submitted, c.filed) for c in stats.categories} == {
        (cat, sum(d.category == cat for d in every), sum(d.category == cat and d.decision == "立案" for d in every))
        for cat in {d.category for d in every}}

    def late(d: Done) -> bool:
        return (d.replied_at or now) > d.reply_due

    units = {u.code: u for u in stats.units}
    assert set(units) == {d.unit for d in every if d.unit}
    for code, row in units.items():
        mine = [d for d in every if d.unit == code]
        assert row.handled == len(mine)
        assert row.accepted == sum(d.accepted_on_time is not None for d in mine)
        assert row.accepted_on_time == sum(bool(d.accepted_on_time) for d in mine)
        assert row.reply_due == sum(d.replied_at is not None or d.reply_due < now for d in mine)
        assert row.replied_on_time == sum(d.replied_at is not None and d.replied_at <= d.reply_due for d in mine)
        assert row.classes == {c: sum(d.result_class == c for d in mine) for c in "ABC"}
        assert row.satisfaction == {s: sum(d.satisfaction == s for d in mine) for s in ("满意", "基本满意", "不满意")}
        assert row.rehandled == sum(d.rehandled for d in mine)
        assert row.overdue == sum(late(d) for d in mine)
        assert row.overdue_days == sum(
            ((d.replied_at or now).astimezone(clock.TZ).date() - d.reply_due.astimezone(clock.TZ).date()).days
            for d in mine if late(d))
    assert units["czj"].reply_rate == 0.5 and units["fgw"].reply_rate == 0.0
    assert units["czj"].overdue_days > 0 and units["fgw"].overdue_days > units["czj"].overdue_days

    filed = [d for d in every if d.decision == "立案" and d.unit]
    evaluated = [d for d in filed if d.satisfaction and d.satisfaction_work]
    replied = [d for d in filed if d.replied_at is not None]
    e = stats.evaluation
    assert (e.evaluated, e.replied, e.face_to_face) == (
        len(evaluated), len(replied), sum(d.contact_method == "面对面" for d in replied))
    assert e.work == {s: sum(d.satisfaction_work == s for d in evaluated) for s in ("满意", "基本满意", "不满意")}
    assert e.result == {s: sum(d.satisfaction == s for d in evaluated) for s in ("满意", "基本满意", "不满意")}
    assert e.work_rate == sum(d.satisfaction_work != "不满意" for d in evaluated) / len(evaluated) == 1.0
    assert e.result_rate == sum(d.satisfaction != "不满意" for d in evaluated) / len(evaluated) == 0.5
    assert e.face_rate == 0.5
    f = stats.followup
    assert (f.b_replies, f.reported) == (sum(d.result_class == "B" for d in filed), 0)  # late's B became C

    expected_members = Counter(d.proposer for d in every)
    cosigned = Counter(name for d in every for name in d.cosigned_by)
    assert {(m.username, m.submitted, m.cosigned) for m in stats.members} == {
        (name, expected_members[name], cosigned[name]) for name in set(expected_members) | set(cosigned)}

    keys = {k.number: k for k in stats.key_proposals}
    assert set(keys) == {flow.proposal(instances[k]).number for k, d in done.items() if d.is_key}
    assert {k.status for k in stats.key_proposals} == {flow.proposal(instances[k]).status
                                                       for k, d in done.items() if d.is_key}
    assert sorted((o.number, o.days) for o in stats.overdue) == sorted(
        (flow.proposal(instances[k]).number,
         ((d.replied_at or now).astimezone(clock.TZ).date() - d.reply_due.astimezone(clock.TZ).date()).days)
        for k, d in done.items() if d.unit and late(d))


def test_the_workbook_holds_the_same_figures_and_text_stays_text(flow):
    formula = '=HYPERLINK("http://example.invalid","点我")'
    flow.submit("member1", category="经济")
    instance = flow.submit("member2", title=formula, category="社会")
    flow.do("tiwei", instance, "review", {"decision": "立案", "is_key": True, **LEADERS})
    flow.do("office1", instance, "assign", {"lead_unit": "czj"})
    flow.do("czj_clerk", instance, "accept", ACCEPT)
    book = load_workbook(io.BytesIO(workbook(statistics.for_year(flow.session, 2026))))
    assert book.sheetnames == ["总体", "按类别", "承办单位", "评价和面办", "面办率", "回头看", "委员", "重点提案", "超期",
                               "会议期间和闭会期间", "提出方式", "集体提案"]
    assert [c.value for c in book["提出方式"][3]] == ["委员提案", 2, 1]
    assert [c.value for c in book["总体"][2]] == [2026, 2, 1, 0, 0, 1]
    assert [c.value for c in book["承办单位"][2]][:4] == ["县财政局", 1, 1, 1]
    number, title = book["重点提案"][2][:2]
    assert (number.value, title.value, title.data_type) == (flow.proposal(instance).number, formula, "s")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
