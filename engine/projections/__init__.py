"""Domain records kept in step with workflows, in the same transaction; one module per procedure.

Each module in this package declares `PROCESS_KEYS` (the diagrams it follows) and
`project(session, instance, workflow, data, *, kind, actor)`.
"""
from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy.orm import Session

from ..models import Instance, User

PROJECTORS = {}
for _module in pkgutil.iter_modules(__path__):
    _mod = importlib.import_module(f"{__name__}.{_module.name}")
    for _key in getattr(_mod, "PROCESS_KEYS", ()):
        PROJECTORS[_key] = _mod.project


def apply(session: Session, instance: Instance, workflow, data: dict, *, kind: str, actor: User | None) -> None:
    projector = PROJECTORS.get(instance.process_key)
    if projector is not None:
        projector(session, instance, workflow, data, kind=kind, actor=actor)
