"""Domain records kept in step with workflows, in the same transaction; one module per procedure.

Each module in this package declares `PROCESS_KEYS` (the diagrams it follows) and
`project(session, instance, workflow, data, *, kind, actor)`. A module may also follow a reusable diagram wherever
it is called from: `CALLED_KEYS = ("outcome",)` and `project_calls(session, instance, workflow)`. What a module reads
from its diagrams is declared once in its `FACTS` (engine.facts.Requires), which deploy checks; the status a record
shows comes from the diagram (engine.status).
"""
from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy.orm import Session

from .. import facts
from ..models import Instance, User

PROJECTORS = {}
CALL_PROJECTORS = {}
for _module in pkgutil.iter_modules(__path__):
    _mod = importlib.import_module(f"{__name__}.{_module.name}")
    for _key in getattr(_mod, "PROCESS_KEYS", ()):
        PROJECTORS[_key] = _mod.project
    for _key in getattr(_mod, "CALLED_KEYS", ()):
        CALL_PROJECTORS[_key] = _mod
    for _name in dir(_mod):
        if isinstance(getattr(_mod, _name), facts.Requires):
            facts.register(getattr(_mod, _name))


def apply(session: Session, instance: Instance, workflow, data: dict, *, kind: str, actor: User | None) -> None:
    projector = PROJECTORS.get(instance.process_key)
    if projector is not None:
        projector(session, instance, workflow, data, kind=kind, actor=actor)
    called = {sub.spec.name for sub in workflow.subprocesses.values()}
    for key in called & CALL_PROJECTORS.keys():
        module = CALL_PROJECTORS[key]
        if PROJECTORS.get(instance.process_key) is not module.project:  # its own projector already does it
            module.project_calls(session, instance, workflow)
