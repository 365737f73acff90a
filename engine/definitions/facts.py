"""What a procedure's records need from its diagram, declared once next to the projector, and checked at deploy.

Each projector that reads a diagram declares a `Requires`: the steps (tasks, events, call activities) whose ids its
code reads, the processes it expects the diagram to call, the message names and the data keys it reads. The code
takes those ids from the declaration (`FACTS.step("handle")`), never from a literal of its own. Validate and deploy
refuse a version that drops or renames a declared element the process has now, naming the element and the record
that depends on it; labels, lanes, deadlines, forms and new steps are never refused. Data keys are listed for the
reader: forms may change, and a key no form fills any more only leaves its field empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine import registry
from engine.errors import Problem
from engine.i18n import N_

B = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Requires:
    """`processes`: the diagrams this record follows. `steps`: element id → what of the record it fills.
    With several processes (one record for several diagrams) a step need only stay where a version already has it;
    with one, the first version must have it too."""

    is_requirement = True  # how engine/registry.py recognises one without importing this module
    processes: tuple[str, ...]
    record: str
    steps: dict[str, str] = field(default_factory=dict)
    calls: dict[str, str] = field(default_factory=dict)  # called process key → what of the record it fills
    messages: dict[str, str] = field(default_factory=dict)
    data: tuple[str, ...] = ()

    def step(self, bpmn_id: str) -> str:
        if bpmn_id not in self.steps:
            raise KeyError(f"{bpmn_id} is not declared in the requirements of {self.record}")
        return bpmn_id

    def each(self, *bpmn_ids: str) -> tuple[str, ...]:
        return tuple(self.step(bpmn_id) for bpmn_id in bpmn_ids)

    def call(self, process_key: str) -> str:
        if process_key not in self.calls:
            raise KeyError(f"{process_key} is not declared in the requirements of {self.record}")
        return process_key


def requirements(process_key: str) -> list[Requires]:
    """What the registered procedures (engine.procedures) read from the diagrams of `process_key`."""
    return [r for r in registry.get().requirements if process_key in r.processes]


def _ids(root) -> dict[str, str]:
    return {node.get("id"): node.get("name") or "" for node in root.iter()
            if isinstance(node.tag, str) and node.tag.startswith(f"{{{B}}}") and node.get("id")}


def _calls(root) -> set[str]:
    return {node.get("calledElement") for node in root.iter(f"{{{B}}}callActivity") if node.get("calledElement")}


def _messages(root) -> set[str]:
    return {node.get("name") or node.get("id") for node in root.iter(f"{{{B}}}message")}


def problems(root, process_key: str, previous=None) -> list[Problem]:
    """The declared elements the new diagram `root` lacks; `previous` is the latest deployed version's tree."""
    found: list[Problem] = []
    new_ids, new_calls, new_messages = _ids(root), _calls(root), _messages(root)
    old_ids = _ids(previous) if previous is not None else {}
    old_calls = _calls(previous) if previous is not None else set()
    old_messages = _messages(previous) if previous is not None else set()
    for requires in requirements(process_key):
        def needed(name: str, old: set | dict) -> bool:
            return name in old if previous is not None or len(requires.processes) > 1 else True

        for bpmn_id, what in requires.steps.items():
            if bpmn_id not in new_ids and needed(bpmn_id, old_ids):
                name = old_ids.get(bpmn_id)
                found.append(Problem(None, N_("步骤 %(step)s被删除或改名：%(record)s（%(what)s）依赖它。",
                                              step=f"{bpmn_id}（{name}）" if name else bpmn_id, record=requires.record,
                                              what=what)))
        for key, what in requires.calls.items():
            if key not in new_calls and needed(key, old_calls):
                found.append(Problem(None, N_("调用流程 %(key)s 的调用活动被删除：%(record)s（%(what)s）依赖它。", key=key,
                                              record=requires.record, what=what)))
        for name, what in requires.messages.items():
            if name not in new_messages and needed(name, old_messages):
                found.append(Problem(None, N_("消息 %(name)s 被删除或改名：%(record)s（%(what)s）依赖它。", name=name,
                                              record=requires.record, what=what)))
    return found
