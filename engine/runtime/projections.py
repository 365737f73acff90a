"""Domain records kept in step with workflows, in the same transaction, by the procedures' projectors.

A projection module under engine/procedures/ declares `PROCESS_KEYS` (the diagrams it follows) and
`project(session, instance, workflow, data, *, kind, actor)`. A module may also follow a reusable diagram wherever
it is called from: `CALLED_KEYS = ("outcome",)` and `project_calls(session, instance, workflow)`. What a module reads
from its diagrams is declared once in its `FACTS` (engine.definitions.facts.Requires), which deploy checks; the status a record
shows comes from the diagram (engine.runtime.status).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine import registry
from engine.models import Instance, User


def apply(session: Session, instance: Instance, workflow, data: dict, *, kind: str, actor: User | None) -> None:
    """Run the projector the instance's procedure registered (engine/registry.py), and those of the diagrams it calls."""
    known = registry.get()
    projector = known.projectors.get(instance.process_key)
    if projector is not None:
        projector(session, instance, workflow, data, kind=kind, actor=actor)
    called = {sub.spec.name for sub in workflow.subprocesses.values()}
    for key in called & known.call_projectors.keys():
        module = known.call_projectors[key]
        if known.projectors.get(instance.process_key) is not module.project:  # its own projector already does it
            module.project_calls(session, instance, workflow)
