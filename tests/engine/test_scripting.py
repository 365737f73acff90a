"""The restricted expression language at run time: escapes are refused even if a diagram got past deploy."""
from __future__ import annotations

import pytest

from engine.definitions import scripting
from engine.runtime import state
from engine.errors import ScriptRefused

ESCAPES = [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "[c for c in ().__class__.__mro__]",
    "x.__dict__",
    "getattr(x, '__class__')",
    "globals()",
    "open('/etc/passwd').read()",
    "_hidden + 1",
    "(lambda: 0)()",
    "2 ** 10 ** 10",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_expressions_are_refused_when_evaluated(source):
    env = scripting.RestrictedEnvironment()
    with pytest.raises(ScriptRefused):
        env.evaluate(source, {"x": 1, "_hidden": 1})


@pytest.mark.parametrize("source", ["import os", "while True:\n    pass", "def f():\n    pass", "x = y.z",
                                    "exec('1')"])
def test_scripts_are_refused_when_executed(source):
    with pytest.raises(ScriptRefused):
        scripting.RestrictedEnvironment().execute(source, {"y": 1}, {})


def test_allowed_language_works():
    context = {"items": [1, 2, 3], "limit": 2}
    scripting.RestrictedEnvironment().execute(
        "big = [i for i in items if i >= limit]\ncount = len(big)\nif count:\n    flag = True", context, {})
    assert context == {"items": [1, 2, 3], "limit": 2, "big": [2, 3], "count": 2, "flag": True}
    assert scripting.evaluate('add_working_days("2026-09-30T10:00:00+08:00", 1)', {}) == "2026-10-08T23:59:59+08:00"


def test_a_script_cannot_shadow_a_function():
    with pytest.raises(ScriptRefused):
        scripting.RestrictedEnvironment().execute("y = 1", {"len": 3}, {})


def test_every_loaded_workflow_runs_the_restricted_engine(deployed, users):
    from engine.definitions import deploy as definitions

    version = definitions.latest_version(deployed, "proposal")
    spec, subs = definitions.specs(deployed, version)
    workflow = state.load(state.dump(state.new_workflow(spec, subs)), (spec, subs))
    assert isinstance(workflow.script_engine.environment, scripting.RestrictedEnvironment)
