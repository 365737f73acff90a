"""The 29-task 分工方案 (processes/division_tasks.json) and starting its items as 任务分工督查 instances."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.runtime import verbs as runtime
from engine.errors import FormInvalid, NotFound
from engine.models import Instance, Unit, User
from engine.people.records import Member
from engine.procedures.supervision.records import DivisionTask
from engine.i18n import N_

PROCESS = "division_task"
MEMBER_UNITS = "政协委员所在单位"  # the one group the rosters can resolve by themselves
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "processes"


@dataclass(frozen=True)
class Item:
    number: str  # "2(3)" or "9"
    task_number: int
    task_title: str
    section: str
    text: str
    lead_units: tuple[str, ...]
    participating_units: tuple[str, ...]
    lead_groups: tuple[str, ...]
    participating_groups: tuple[str, ...]
    by_duty: bool
    units_text: str

    @property
    def groups(self) -> tuple[str, ...]:
        return self.lead_groups + self.participating_groups

    @property
    def title(self) -> str:
        first = re.split(r"[。；;\n]", self.text, maxsplit=1)[0]
        return f"任务{self.number}：{first[:80]}"


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[dict, tuple[Item, ...]]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    items = []
    for task in doc["tasks"]:
        for row in task["items"]:
            items.append(Item(
                number=row["number"], task_number=task["number"], task_title=task["title"], section=task["section"],
                text=row["text"], lead_units=tuple(row["lead_units"]),
                participating_units=tuple(row["participating_units"]), lead_groups=tuple(row["lead_groups"]),
                participating_groups=tuple(row["participating_groups"]), by_duty=bool(row["by_duty"]),
                units_text=row["units_text"]))
    return doc, tuple(items)


def tasks(directory: str | Path = DEFAULT_DIR) -> list[dict]:
    """The 29 tasks as the data file has them (number, section, title, text, items)."""
    return _load(str(Path(directory) / "division_tasks.json"))[0]["tasks"]


def items(directory: str | Path = DEFAULT_DIR) -> list[Item]:
    return list(_load(str(Path(directory) / "division_tasks.json"))[1])


def item(number: str, directory: str | Path = DEFAULT_DIR) -> Item:
    for candidate in items(directory):
        if candidate.number == number:
            return candidate
    raise NotFound(N_("分工方案中没有编号为 %(number)s 的任务。", number=number))


def member_units(session: Session) -> list[str]:
    """Work units of the active members on the roster (for 21(5) 政协委员所在单位负责)."""
    rows = session.scalars(select(Unit.code).join(Member, Member.unit_id == Unit.id)
                           .where(Member.active.is_(True)).distinct().order_by(Unit.code))
    return list(rows)


def start_data(session: Session, number: str, *, extra_units: list[str] | None = None, deadline: str | None = None,
               note: str = "", directory: str | Path = DEFAULT_DIR) -> dict:
    """Start data for one item: its units from the data file, groups such as “有关部门单位” replaced by the units
    the supervisor names (`extra_units`), “政协委员所在单位” by the members' units on the roster."""
    found = item(number, directory)
    extra = [code for code in dict.fromkeys(extra_units or []) if code]
    unknown = set(extra) - set(session.scalars(select(Unit.code).where(Unit.code.in_(extra))))
    if unknown:
        raise FormInvalid({"extra_units": N_("找不到单位：%(value)s", value='、'.join(sorted(unknown)))})
    lead, participating = list(found.lead_units), list(found.participating_units)
    for group in found.lead_groups:
        lead += member_units(session) if group == MEMBER_UNITS else extra
    for group in found.participating_groups:
        participating += extra
    lead = list(dict.fromkeys(lead))
    participating = [code for code in dict.fromkeys(participating) if code not in lead]
    if not lead:
        raise FormInvalid({"extra_units": N_("该任务由“%(value)s”负责，请指定具体单位。", value='、'.join(found.groups))})
    if found.groups and not extra and any(g != MEMBER_UNITS for g in found.groups):
        raise FormInvalid({"extra_units": N_("分工中的“%(value)s”须指定具体单位。",
                                             value='、'.join(g for g in found.groups if g != MEMBER_UNITS))})
    return {"item_no": found.number, "title": found.title, "task_text": found.text, "units_text": found.units_text,
            "lead_units": lead, "participating_units": participating, "deadline": deadline, "note": note or None}


def start_item(session: Session, actor: User, number: str, **options) -> Instance:
    data = {k: v for k, v in start_data(session, number, **options).items() if v is not None}
    return runtime.start_instance(session, actor, PROCESS, data)


def board(session: Session, directory: str | Path = DEFAULT_DIR) -> list[tuple[Item, DivisionTask | None]]:
    """Every item of the plan with its latest supervision record (None: not started yet)."""
    latest: dict[str, DivisionTask] = {}
    for row in session.scalars(select(DivisionTask).order_by(DivisionTask.id)):
        latest[row.item_no] = row
    return [(found, latest.get(found.number)) for found in items(directory)]
