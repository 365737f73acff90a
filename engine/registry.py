"""What procedures add to the core, and where the core asks for it.

The core (definitions, runtime, worklist, cases) imports no procedure. Each procedure under `engine/procedures/`
registers here what it adds when `engine.procedures` is imported — by the web app, the command line, the tests and
the benchmarks, before any work: the projector that keeps its records, what it reads from its diagrams (checked at
deploy), who else may view its cases, and the kinds of reference its forms may hold. Asking before that import is
an error, not an empty answer, so that a forgotten import cannot quietly skip records or deploy checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Registry:
    projectors: dict[str, Callable] = field(default_factory=dict)  # process key -> project(session, instance, …)
    call_projectors: dict[str, Any] = field(default_factory=dict)  # called process key -> module with project_calls
    requirements: list = field(default_factory=list)  # definitions.facts.Requires of every procedure
    view_rules: list[Callable] = field(default_factory=list)  # (session, user, instance) -> bool: may also view
    reference_checks: dict[str, Callable] = field(default_factory=dict)  # x-widget -> check(session, value, instance)
    start_data: dict[str, list[Callable]] = field(default_factory=dict)  # process key -> (actor) -> data to start with
    numbering: dict[str, list[Callable]] = field(default_factory=dict)  # process key -> (session) -> number or None
    start_checks: dict[str, list[Callable]] = field(default_factory=dict)  # key -> (actor, data) -> {field: problem}
    installed: bool = False


_registry = Registry()


def get() -> Registry:
    if not _registry.installed:
        raise RuntimeError("the procedures are not installed: import engine.procedures first")
    return _registry


def add_projection(module) -> None:
    """A projection module: PROCESS_KEYS + project, CALLED_KEYS + project_calls, and its Requires declarations."""
    for key in getattr(module, "PROCESS_KEYS", ()):
        _registry.projectors[key] = module.project
    for key in getattr(module, "CALLED_KEYS", ()):
        _registry.call_projectors[key] = module
    for name in dir(module):
        value = getattr(module, name)
        if getattr(type(value), "is_requirement", False) and value not in _registry.requirements:  # facts.Requires
            _registry.requirements.append(value)


def add_view_rule(rule: Callable) -> None:
    _registry.view_rules.append(rule)


def add_reference_check(kind: str, check: Callable) -> None:
    _registry.reference_checks[kind] = check


def add_start_data(process_key: str, make: Callable) -> None:
    _registry.start_data.setdefault(process_key, []).append(make)


def add_numbering(process_key: str, make: Callable) -> None:
    """`make(session)` gives a new instance's number (None: the year's number, 2026-001)."""
    _registry.numbering.setdefault(process_key, []).append(make)


def add_start_check(process_key: str, check: Callable) -> None:
    """What a starter who is not the procedure's usual one may start: `check(actor, data)` names each field whose
    value this starter may not give (a department starts 征求意见 on its own plan only)."""
    _registry.start_checks.setdefault(process_key, []).append(check)


def mark_installed() -> None:
    _registry.installed = True
