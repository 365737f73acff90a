"""社情民意信息 → `sheqing_items` (and the numbered 政协信息 issues), which the member's and the office's lists read.

The steps inside the called `outcome` diagram (报送, 阅批, 办理, 反馈) count too: their data comes back in `data`.
"""
from __future__ import annotations

import re

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.runtime import status
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.procedures.supervision.records import SheqingIssue, SheqingItem

PROCESS_KEYS = ("sheqing",)
FACTS = Requires(
    PROCESS_KEYS, N_("社情民意记录"),
    steps={"screen": N_("是否采用、筛选时间"), "compile": N_("《政协信息》期号")},
    calls={"outcome": N_("报送去向、领导批示、办理情况和反馈")},
    data=("title", "category", "content", "decision", "reason", "edited_title", "issue_label", "sent_to",
          "county_instruction", "gov_instruction", "county_impl_reports", "gov_impl_reports", "dept_reports",
          "feedback_content"))
OUTCOME = FACTS.call("outcome")
CALLEE_KEYS = ("county_", "gov_", "dept_", "feedback_", "sent_to", "doc_no")
_ISSUE = re.compile(r"^(\d{4})年第(\d+)期$")


def _instruction(data: dict) -> str | None:
    parts = [f"{who}：{data[key]}" for key, who in (("county_instruction", "县委领导批示"), ("gov_instruction", "政府领导批示"))
             if data.get(key)]
    return "\n".join(parts) or None


def _handling(data: dict) -> list:
    rows = []
    for key in ("county_impl_reports", "gov_impl_reports", "dept_reports"):
        for report in data.get(key) or []:
            if isinstance(report, dict):
                rows.append({k: report.get(k) for k in ("unit", "impl_status", "impl_report", "reported_on")})
    return rows


def _issue(session: Session, label: str | None, title: str) -> None:
    match = _ISSUE.match(label or "")
    if match is None or session.scalar(select(SheqingIssue.id).where(SheqingIssue.number == label)) is not None:
        return
    session.execute(insert(SheqingIssue).values(number=label, year=int(match.group(1)), seq=int(match.group(2)),
                                                title=title, compiled_at=clock.now()))


def with_caller_data(workflow, data: dict) -> dict:
    """`data` plus what the called `outcome` diagram hides from it: while the call runs `data` holds only the
    callee's data (add the caller's own, on the call task), and once it returns only `outcome_result` comes back
    (add the callee's steps: instructions, implementation reports, feedback)."""
    merged: dict = {}
    for task in workflow.get_tasks(state=TaskState.STARTED):
        if task.workflow is workflow:
            merged.update(task.data)
    merged.update(data)
    for sub in workflow.subprocesses.values():
        if sub.spec.name != OUTCOME:
            continue
        done = sub.get_tasks(state=TaskState.COMPLETED | TaskState.READY | TaskState.WAITING)
        for task in sorted(done, key=lambda t: t.last_state_change):
            merged.update({k: v for k, v in task.data.items() if k not in merged or k.startswith(CALLEE_KEYS)})
    return merged


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    now = clock.now()
    data = with_caller_data(workflow, data)
    if kind == "start":
        session.add(SheqingItem(
            instance_id=instance.id, number=instance.business_key, title=data.get("title", ""),
            category=data.get("category") or "", content=data.get("content") or "", submitter_id=actor.id,
            status=status.of(workflow), submitted_at=now))
        return
    values = {
        "status": status.of(workflow), "decision": data.get("decision"), "reason": data.get("reason"),
        "edited_title": data.get("edited_title"), "issue_no": data.get("issue_label"),
        "send_to": [str(v) for v in data.get("sent_to") or []], "instruction": _instruction(data),
        "handling": _handling(data), "feedback": data.get("feedback_content"),
    }
    if data.get("decision"):
        values["screened_at"] = func.coalesce(SheqingItem.screened_at, now)
    if data.get("feedback_content"):
        values["feedback_at"] = func.coalesce(SheqingItem.feedback_at, now)
    if workflow.is_completed():
        values["closed_at"] = now
    _issue(session, data.get("issue_label"), "政协信息")
    session.execute(update(SheqingItem).where(SheqingItem.instance_id == instance.id).values(**values)
                    .execution_options(synchronize_session=False))
