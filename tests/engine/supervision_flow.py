"""Driving P10–P14 (and the P9 `outcome` steps they call) through the engine API, one commit per step."""
from __future__ import annotations

from sqlalchemy import select

from engine.models import Instance, Role, Unit, User

from .flow import complete, open_rows  # noqa: F401 - the tests of P10–P14 use both


def open_ids(session, instance: Instance) -> list[str]:
    ids = sorted(r.bpmn_id for r in open_rows(session, instance))
    session.rollback()
    return ids


def clerk_of(session, code: str, role: str = "department") -> User:
    return session.scalars(select(User).join(User.unit).join(User.roles)
                           .where(Unit.code == code, Role.key == role).order_by(User.username)).first()


def do(session, user: User, instance: Instance, bpmn_id: str, data: dict) -> Instance:
    return complete(session, user, instance, bpmn_id, data)


def run_outcome(session, users, instance: Instance, *, instruction: str | None = None, impl_unit: str | None = None,
                feedback: str = "您反映的情况已报县委，感谢您的意见。") -> None:
    """P9 as called: the office sends to 县委办, a leader reads (with an instruction and a unit to implement it),
    the unit reports, the office feeds back to the member."""
    do(session, users.office1, instance, "send", {"doc_no": "政协信息〔2026〕3号", "sent_on": "2026-03-05",
                                                  "send_county": True, "send_gov": False})
    do(session, users.xwb_clerk, instance, "county_receive", {"county_received_on": "2026-03-06",
                                                              "county_submitted_to": "钱进副书记"})
    read = {"county_read_on": "2026-03-09", "county_leader": "钱进", "county_instructed": bool(instruction)}
    if instruction:
        read.update(county_instruction=instruction, county_impl_units=[impl_unit] if impl_unit else [],
                    county_impl_due="2026-04-30")
    do(session, users.xwlingdao, instance, "county_read", read)
    if instruction:
        do(session, users.office1, instance, "county_notice", {"county_notified_on": "2026-03-10"})
        if impl_unit:
            do(session, clerk_of(session, impl_unit), instance, "county_implement",
               {"impl_status": "已落实", "impl_report": "已组织专项整治。", "reported_on": "2026-04-20"})
    do(session, users.office1, instance, "feedback", {"feedback_on": "2026-04-22", "feedback_method": "系统通知",
                                                      "feedback_content": feedback})
