"""sector_plan, inspection_plan and county_event → engine/procedures/yearly/records.py.

A sub-plan keeps the activities (or inspections) as last submitted until it is approved; on approval each one is
scheduled to start its procedure on its planned date (界别协商 `sector`, 视察与调研 `inspection`), as the annual plan's
items are, and `xieshang tick` starts it. A county event is recorded when its form is sent.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.definitions.facts import Requires
from engine.i18n import N_
from engine.models import User
from engine.procedures.consultation.steps import Steps, _date, _steps, _strings, _text
from engine.procedures.yearly.records import YearPlan, YearPlanItem
from engine.runtime import schedule, status

PROCESS_KEYS = ("sector_plan", "inspection_plan")
START_HOUR = dt.time(9, 0)

SECTOR_PLAN = Requires(
    ("sector_plan",), N_("界别年度活动计划记录"),
    steps={"review": N_("政协办公室审核结果、计划批准和按计划发起")},
    data=("title", "plan_year", "sector_group", "activities", "plan_decision"))
INSPECTION_PLAN = Requires(
    ("inspection_plan",), N_("年度视察工作计划记录"),
    steps={"decide": N_("主席会议审定结果、计划批准和按计划发起")},
    data=("title", "plan_year", "inspection_items", "plan_decision", "decided_on"))
REVIEW = SECTOR_PLAN.step("review")
DECIDE = INSPECTION_PLAN.step("decide")
# process key → (plan kind, the field holding its items, the deciding step, the procedure its items start)
PLANS = {"sector_plan": ("界别活动", "activities", REVIEW, "sector"),
         "inspection_plan": ("视察", "inspection_items", DECIDE, "inspection")}


def project(session: Session, instance, workflow, data: dict, *, kind: str, actor) -> None:
    plan_kind, field, decision_step, target = PLANS[instance.process_key]
    now = clock.now()
    if kind == "start":
        result = session.execute(insert(YearPlan).values(
            instance_id=instance.id, kind=plan_kind, number=instance.business_key, title=_text(data.get("title"), 200),
            year=data.get("plan_year"), sector_group=data.get("sector_group") or None,
            status=status.of(workflow, open_default="待审核"), created_at=now))
        _items(session, result.inserted_primary_key[0], data.get(field), target)
        return
    top = _steps(workflow).get(workflow, Steps())
    plan = session.execute(select(YearPlan.id, YearPlan.number, YearPlan.approved_at)
                           .where(YearPlan.instance_id == instance.id)).one()
    decisions = top.done.get(decision_step, [])
    values = {"status": status.of(workflow, open_default="待审核", done_default="已批准"),
              "returns": sum(1 for t in decisions if t.data.get("plan_decision") == "退回修改")}
    last = decisions[-1] if decisions else None
    if plan.approved_at is None and last is not None:
        _items(session, plan.id, last.data.get(field), target, replace=True)
        if last.data.get("plan_decision") == "同意":
            values["approved_at"] = now
            values["decided_on"] = _date(last.data.get("decided_on")) or now.date()
            _schedule(session, instance, plan.id, plan.number, last.data, target)
    session.execute(update(YearPlan).where(YearPlan.id == plan.id).values(**values)
                    .execution_options(synchronize_session=False))


def _items(session: Session, plan_id: int, items, target: str, *, replace: bool = False) -> None:
    if replace:
        session.execute(delete(YearPlanItem).where(YearPlanItem.plan_id == plan_id))
    rows = [{"plan_id": plan_id, "seq": n, "title": _text(i.get("title"), 200),
             "kind": _text(i.get("activity_kind") or i.get("kind"), 20), "process_key": target,
             "planned_date": _date(i.get("planned_date")), "lead_committee": i.get("lead_committee") or None}
            for n, i in enumerate(items or [], start=1) if isinstance(i, dict)]
    if rows:
        session.execute(insert(YearPlanItem), rows)


def start_data(number: str, item, plan_data: dict) -> dict:
    """What an item's procedure starts with (its start form's fields)."""
    rationale = f"{_text(plan_data.get('title'))}（{number}）第 {item.seq} 项"
    if item.process_key == "sector":
        return {"title": item.title, "sector_group": plan_data.get("sector_group"), "activity_kind": item.kind,
                "topic_source": "界别年度活动计划", "planned_date": item.planned_date.isoformat(),
                "rationale": rationale, "material_units": []}
    data = {"title": item.title, "kind": item.kind, "source": "政协自选", "rationale": rationale,
            "plan_link": number}
    if item.lead_committee:
        data["lead_committee"] = item.lead_committee
    return data


def _schedule(session: Session, instance, plan_id: int, number: str, plan_data: dict, target: str) -> None:
    session.flush()
    requested_by = session.get(User, instance.started_by_id) if instance.started_by_id else None
    items = session.scalars(select(YearPlanItem).where(YearPlanItem.plan_id == plan_id,
                                                       YearPlanItem.planned_date.is_not(None))
                            .order_by(YearPlanItem.seq)).all()
    for item in items:
        start_at = dt.datetime.combine(item.planned_date, START_HOUR, tzinfo=clock.TZ)
        row = schedule.schedule(session, target, start_at, start_data(number, item, plan_data),
                                requested_by=requested_by, source=instance)
        session.flush()
        item.scheduled_start_id = row.id
