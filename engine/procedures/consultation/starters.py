"""Who may start what beyond a procedure's own lane (startRoles in the diagram), and on what:
a department asks its counterpart committee's opinion on its own plan (第14条); 县委办 and 县政府办 raise a forum or a
special consultation topic as their own (第13, 17条); a special committee starts an inspection or research item it
leads (第26条). Whoever holds the procedure's own role starts it as before."""
from __future__ import annotations

from engine import registry
from engine.i18n import N_

RAISED_BY = {"county_office": "县委交办或提出", "gov_office": "县政府交办或提出"}


def _unit(actor) -> str | None:
    return actor.unit.code if actor.unit is not None else None


def _topic(actor, data: dict) -> dict[str, str]:
    """季协商座谈会, 专题协商会: started by the CPPCC office, or by 县委办 / 县政府办 as a topic of their own."""
    if "office" in actor.role_keys:
        return {}
    source = next((RAISED_BY[role] for role in RAISED_BY if role in actor.role_keys), None)
    problems = {}
    if data.get("topic_source") != source:
        problems["topic_source"] = N_("本单位发起的议题，来源应为“%(value)s”", value=source)
    if data.get("raised_by_unit") != _unit(actor):
        problems["raised_by_unit"] = N_("提出议题的单位应为本单位")
    return problems


def _counterpart(actor, data: dict) -> dict[str, str]:
    """对口协商: a committee starts any path; a department only 征求意见 on its own plan or policy."""
    if "committee" in actor.role_keys:
        return {}
    problems = {}
    if data.get("path") != "征求意见":
        problems["path"] = N_("部门可就本部门制定的重要规划、方案和政策措施发起征求意见；对口协商会议由专门委员会发起")
    if data.get("counterpart_unit") != _unit(actor):
        problems["counterpart_unit"] = N_("征求意见的部门应为本部门")
    return problems


def _inspection(actor, data: dict) -> dict[str, str]:
    """视察与调研: the office starts any item; a special committee an item it leads."""
    if "office" in actor.role_keys:
        return {}
    if data.get("lead_committee") != _unit(actor):
        return {"lead_committee": N_("专门委员会发起的视察调研，牵头专门委员会应为本委员会")}
    return {}


def register() -> None:
    for key in ("quarterly_forum", "special_meeting"):
        registry.add_start_check(key, _topic)
    registry.add_start_check("counterpart", _counterpart)
    registry.add_start_check("inspection", _inspection)
