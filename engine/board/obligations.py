"""年度看板: every obligation of the 实施办法 and the 分工方案 for a year, measured over what the procedures recorded.

The obligations are data (processes/obligations.json): the rule in the seed's words, its article or task, who owes
it, and a measure of one of a few generic kinds — `count` (rows of a record set in the year, at least N), `share`
(the part of a set that meets a condition, at least a ratio; `"period": "term"` counts over the roster's 届 the year
falls in instead of the year), `each_quarter` (at least N in every quarter),
`each_of` (every member of a set, e.g. each county department, has at least N), `before` (a date recorded before
another, e.g. the plan decided before the plenary) and `unmeasured` (no record kept yet; the board says so). The
office may change a threshold without code (engine/board/settings.py).

A state says where the year stands: 已完成 (met), 未完成 (the period is over and it is not), 有风险 (still owed, and
what is owed cannot be done in the working days left at the usual duration, `duration`, of one, given what is under
way), 进行中, 未到期 (its period has not begun), 未记录 (unmeasured).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from engine import clock
from engine.board import sources
from engine.calendar import workdays
from engine.errors import DeployError, Problem
from engine.i18n import N_

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "processes"
KINDS = ("count", "share", "each_quarter", "each_of", "before", "unmeasured")
STATES = {"done": N_("已完成"), "running": N_("进行中"), "risk": N_("有风险"), "missed": N_("未完成"),
          "future": N_("未到期"), "unmeasured": N_("未记录")}


@dataclass(frozen=True)
class Obligation:
    id: str
    source: str
    area: str
    owner: str
    rule: str
    measure: dict
    threshold: float = 1
    duration: int = 0  # working days one instance of the work usually takes (for 有风险)
    record_only: bool = False  # the seed sets no number: the figure is shown, done once there is one


@dataclass
class Result:
    obligation: Obligation
    state: str
    value: float | None = None
    target: float | None = None
    figure: str = ""
    deadline: dt.date | None = None
    instances: list[int] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)  # per quarter / per unit lines
    note: str = ""

    @property
    def state_text(self) -> str:
        return STATES[self.state]


def load(directory: str | Path = DEFAULT_DIR) -> list[Obligation]:
    """The catalogue, checked: unknown kinds, sources and fields are refused, naming the obligation."""
    rows = json.loads((Path(directory) / "obligations.json").read_text(encoding="utf-8"))
    problems, found = [], []
    for row in rows:
        obligation = Obligation(**row)
        problem = _problem(obligation)
        if problem:
            problems.append(Problem(obligation.id, problem))
        found.append(obligation)
    if problems:
        raise DeployError(problems, "obligations.json 有误：" + "；".join(str(p) for p in problems))
    return found


def _problem(obligation: Obligation) -> str | None:
    measure = obligation.measure
    kind = measure.get("kind")
    if kind not in KINDS:
        return f"不认识的计量方式 {kind!r}"
    if kind == "unmeasured":
        return None if measure.get("reason") else "未记录的义务须说明原因"
    name = measure.get("source")
    if name not in sources.FIELDS_OF:
        return f"不认识的记录 {name!r}"
    fields = sources.FIELDS_OF[name]
    named = set(measure.get("where") or {}) | set(measure.get("part") or {})
    named |= set((measure.get("where") or {}).get("any") or {}) | set((measure.get("part") or {}).get("any") or {})
    named -= {"any"}
    named |= {measure.get("date")} - {None}
    named |= {measure[k] for k in ("key", "first") if k in measure}
    wrong = sorted(n for n in named if n not in fields and n != "any_not_null")
    if wrong:
        return f"记录“{name}”没有这些字段：{'、'.join(wrong)}"
    if measure.get("period", "year") not in ("year", "term"):
        return f"不认识的期间 {measure.get('period')!r}"
    if kind == "each_of" and measure.get("of") not in sources.SETS:
        return f"不认识的集合 {measure.get('of')!r}"
    return None


def evaluate(session: Session, obligations: list[Obligation], year: int, today: dt.date | None = None,
             thresholds: dict[str, float] | None = None) -> list[Result]:
    today = today or clock.now().date()
    thresholds = thresholds or {}
    results = []
    for obligation in obligations:
        target = thresholds.get(obligation.id, obligation.threshold)
        results.append(_evaluate(session, obligation, year, today, target))
    return results


def _evaluate(session: Session, o: Obligation, year: int, today: dt.date, target: float) -> Result:
    m = o.measure
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if m["kind"] == "unmeasured":
        return Result(o, "unmeasured", note=m["reason"])
    if today < start:
        return Result(o, "future", target=target, figure="—", deadline=end - dt.timedelta(days=1))
    if m["kind"] == "count":
        term = sources.term_of(session, year) if m.get("period") == "term" else None
        if term:  # counted over the whole 届; due by its last year's end
            start, end = dt.date(term[0], 1, 1), dt.date(term[1] + 1, 1, 1)
        return _count(session, o, m, start, end, today, target)
    if m["kind"] == "share":
        return _share(session, o, m, year, start, end, today, target)
    if m["kind"] == "each_quarter":
        return _each_quarter(session, o, m, start, today, target)
    if m["kind"] == "each_of":
        return _each_of(session, o, m, start, end, today, target)
    return _before(session, o, m, start, end, today)


def _state(met: bool, owed: float, running: int, period_end: dt.date, today: dt.date, duration: int) -> str:
    if met:
        return "done"
    if today >= period_end:
        return "missed"
    left = _working_days(today, period_end)
    not_started = max(0.0, owed - running)
    if not_started > 0 and duration and left < duration * not_started:
        return "risk"
    return "running"


def _working_days(today: dt.date, end: dt.date) -> int:
    last = dt.datetime.combine(end - dt.timedelta(days=1), dt.time(12), tzinfo=clock.TZ)
    return max(0, workdays.working_days_left(last, today))


def _count(session, o, m, start, end, today, target) -> Result:
    value = sources.count(session, m["source"], m.get("date"), start, end, m.get("where"))
    running = sources.started_not_finished(session, m["source"], m.get("date"), start, end, m.get("where")) \
        if m.get("date") else 0
    state = _state(value >= target, target - value, running, end, today, o.duration)
    if o.record_only and not target:  # the seed sets no number: done once there is one
        state = "done" if value else ("missed" if today >= end else "running")
    figure = f"{value} / {target:g}" if target else f"{value}"
    return Result(o, state, value, target, figure, end - dt.timedelta(days=1),
                  sources.ids(session, m["source"], m.get("date"), start, end, m.get("where")))


def _share(session, o, m, year, start, end, today, target) -> Result:
    if m["source"] == "members_duty":
        members = sources.member_duty(session, year)
        whole, part = len(members), sum(1 for _id, complete in members if complete)
        found = []
    else:
        whole = sources.count(session, m["source"], m.get("date"), start, end, m.get("where"))
        part = sources.count(session, m["source"], m.get("date"), start, end, m.get("where"), m.get("part"))
        found = sources.ids(session, m["source"], m.get("date"), start, end, m.get("where")) if whole else []
    if not whole:
        state = "missed" if today >= end else ("risk" if _working_days(today, end) < o.duration else "running")
        return Result(o, state, None, target, "无", end - dt.timedelta(days=1), note="本年尚无可计的记录")
    ratio = part / whole
    state = _state(ratio >= target, 1, 0, end, today, o.duration)  # risk: too little time left to make it up
    return Result(o, state, ratio, target, f"{part} / {whole}（{ratio:.0%}，要求 {target:.0%}）",
                  end - dt.timedelta(days=1), found)


def _each_quarter(session, o, m, start, today, target) -> Result:
    detail, states, ids = [], [], []
    for quarter in range(4):
        q_start = dt.date(start.year, quarter * 3 + 1, 1)
        q_end = dt.date(start.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
        if today < q_start:
            states.append("future")
            detail.append(f"第{quarter + 1}季度：未到期")
            continue
        held = sources.count(session, m["source"], m["date"], q_start, q_end, m.get("where"))
        running = sources.started_not_finished(session, m["source"], m["date"], q_start, q_end, m.get("where"))
        ids += sources.ids(session, m["source"], m["date"], q_start, q_end, m.get("where")) if held else []
        state = _state(held >= target, target - held, running, q_end, today, o.duration)
        states.append(state)
        detail.append(f"第{quarter + 1}季度：{held} 次（{STATES[state]}）")
    done = sum(1 for s in states if s == "done")
    for state in ("missed", "risk"):
        if state in states:
            overall = state
            break
    else:
        overall = "done" if done == 4 else "running"
    return Result(o, overall, done, 4, f"{done} / 4 个季度", dt.date(start.year, 12, 31), ids, detail)


def _each_of(session, o, m, start, end, today, target) -> Result:
    members = sources.members_of(session, m["of"])
    counts = sources.counts_by(session, m["source"], m["date"], start, end, m.get("where"), m["key"])
    lacking = [code for code in members if counts.get(code, 0) < target]
    names = sources.unit_names(session)
    running = sources.started_not_finished(session, m["source"], m["date"], start, end, m.get("where"))
    state = _state(not lacking, len(lacking), running, end, today, o.duration)
    detail = [f"尚未开展：{'、'.join(names.get(code, code) for code in lacking)}"] if lacking else []
    if m["source"] == "year_plans":  # the plans' items as they are carried out
        detail += sources.plan_progress(session, m["where"]["kind"], start, end)
    return Result(o, state, len(members) - len(lacking), len(members),
                  f"{len(members) - len(lacking)} / {len(members)} {sources.SET_NOUNS[m['of']]}", end - dt.timedelta(days=1),
                  sources.ids(session, m["source"], m["date"], start, end, m.get("where")),
                  detail)


def _before(session, o, m, start, end, today) -> Result:
    plans = sources.rows(session, m["source"], m.get("date"), start, end, m.get("where"), key=m["first"])
    then = m["then"]
    later = [value for _i, value in sources.rows(session, then["source"], None, start, end, then.get("where"),
                                                key=then["field"]) if value and value.year == start.year]
    deadline = min(later) if later else None
    decided = [value for _i, value in plans if value]
    if decided and deadline:
        state = "done" if min(decided) < deadline else "missed"
        figure = f"{min(decided):%Y-%m-%d} 审定，{deadline:%Y-%m-%d} 全体会议"
    elif decided:
        state, figure = "running", f"{min(decided):%Y-%m-%d} 审定，全体会议日期未定"
    elif deadline:
        state = "missed" if today >= deadline else (
            "risk" if _working_days(today, deadline) < o.duration else "running")
        figure = f"尚未审定，{deadline:%Y-%m-%d} 全体会议"
    else:
        state = "missed" if today >= end else "running"
        figure = "尚未审定，全体会议日期未定"
    return Result(o, state, 1 if state == "done" else 0, 1, figure, deadline or end - dt.timedelta(days=1),
                  _ids(plans))


def _ids(found) -> list[int]:
    return sorted({instance for instance, _key in found if instance is not None})
