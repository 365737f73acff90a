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


@pytest.fixture(autouse=True)
def _fresh_compile_caches():
    # The compiled forms are cached; every test here must reach the whitelist check itself.
    scripting.compile_expression.cache_clear()
    scripting.compile_script.cache_clear()
    yield
    scripting.compile_expression.cache_clear()
    scripting.compile_script.cache_clear()


@pytest.mark.parametrize("source, message", [
    ("x.y", "表达式“x.y”使用了不允许的写法：属性访问（如 x.y）。"),
    ("(lambda: 0)()", "表达式“(lambda: 0)()”使用了不允许的写法：lambda。"),
    ("2 ** 3", "表达式“2 ** 3”使用了不允许的写法：乘方运算。"),
    ("x @ x", "表达式“x @ x”使用了不允许的写法：MatMult。"),
    ("_hidden + 1", "表达式“_hidden + 1”使用了以下划线开头的名称 _hidden，不允许。"),
    ("[1][0](2)", "表达式“[1][0](2)”使用了不允许的写法：Subscript。"),
    ("open('f')", "表达式“open('f')”调用了不允许的函数 open。"),
    ("get(x, '__class__')", "表达式“get(x, '__class__')”含有不允许的字符串 '__class__'。"),
])
def test_each_refusal_names_what_is_refused(source, message):
    with pytest.raises(ScriptRefused) as refused:
        scripting.evaluate(source, {"x": 1, "_hidden": 1})
    assert str(refused.value) == message


@pytest.mark.parametrize("source, message", [
    ("import os", "表达式“import os”使用了不允许的写法：import。"),
    ("from os import path", "表达式“from os import path”使用了不允许的写法：import。"),
    ("while x:\n    pass", "表达式“while x:\n    pass”使用了不允许的写法：while 循环。"),
    ("def f():\n    pass", "表达式“def f():\n    pass”使用了不允许的写法：函数定义。"),
    ("class A:\n    pass", "表达式“class A:\n    pass”使用了不允许的写法：类定义。"),
    ("x = 1 +", "脚本第 1 行“x = 1 +”处有语法错误：写法不对。"
                "脚本按 Python 写法书写，例如 total = len(units)"),
])
def test_each_script_refusal_names_what_is_refused(source, message):
    with pytest.raises(ScriptRefused) as refused:
        scripting.check(source, script=True)
    assert str(refused.value) == message


def test_a_string_with_single_underscores_is_allowed():
    assert scripting.evaluate("'_a' + x", {"x": "_b"}) == "_a_b"


def test_the_whole_expression_language_runs():
    data = {"items": [3, 1, 2], "name": "甲", "flag": False, "table": {"k": 1}}
    source = ("[len(items), sum(items) - 1, items[0] * 2 // 1 % 5, 6 / 3, -items[1], +1, not flag, "
              "flag or items[1] == 1, items[0] != 1 and items[0] < 4 and 1 <= 1 and 2 > 1 and 2 >= 2, "
              "1 in items, 9 not in items, None is None, flag is not None, 'a' if flag else 'b', "
              "(1, 2), {1}, {i for i in items}, {i: i for i in items}, sorted(i for i in items), items[0:1], "
              "f'{name}', get(table, 'k'), get(items, 'k', 7), min(items), max(items), abs(-1), round(1.4), "
              "any(items), all(items), list(range(2)), dict(a=1), set(), str(1), int('2'), float(1), bool(0), "
              "list(enumerate(['a'])), list(zip([1], [2]))]")
    assert scripting.evaluate(source, data) == [
        3, 5, 1, 2.0, -1, 1, True, True, True, True, True, True, True, "b", (1, 2), {1}, {1, 2, 3},
        {3: 3, 1: 1, 2: 2}, [1, 2, 3], [3], "甲", 1, 7, 1, 3, 1, 1, True, True, [0, 1], {"a": 1}, set(), "1", 2,
        1.0, False, [(0, "a")], [(1, 2)]]


def test_an_unknown_name_is_a_name_error_not_a_builtin():
    with pytest.raises(NameError):
        scripting.evaluate("print", {})
    with pytest.raises(NameError):
        scripting.RestrictedEnvironment().evaluate("print", {}, {})


def test_evaluate_sees_the_task_data_and_the_external_context():
    env = scripting.RestrictedEnvironment()
    assert env.evaluate("a + b", {"a": 1}, {"b": 2}) == 3
    assert scripting.evaluate("a * 2", {"a": 4}) == 8


def test_a_script_writes_back_its_results_but_not_the_external_context():
    context = {"a": 1, "gone": 2}
    assert scripting.RestrictedEnvironment().execute("b = a + ext\ndel gone\next2 = ext", context, {"ext": 5}) is True
    assert context == {"a": 1, "b": 6, "ext2": 5}
    context = {"a": 1}
    scripting.RestrictedEnvironment().execute("b = a", context, None)
    assert context == {"a": 1, "b": 1}


def test_a_clash_with_a_function_name_is_named():
    with pytest.raises(ScriptRefused) as refused:
        scripting.RestrictedEnvironment().execute("y = 1", {"len": 3, "max": 1}, {})
    assert str(refused.value) == "数据项名称与内置函数重名：len、max，请改名。"


def test_service_tasks_are_refused():
    with pytest.raises(ScriptRefused) as refused:
        scripting.RestrictedEnvironment().call_service({}, operation="x")
    assert str(refused.value) == "本系统不执行服务任务（serviceTask）。"


def test_the_engine_and_the_deploy_check_use_the_whitelist():
    assert isinstance(scripting.script_engine().environment, scripting.RestrictedEnvironment)
    scripting.check("len(x)")
    scripting.check("y = len(x)", script=True)
    with pytest.raises(ScriptRefused):
        scripting.check("y = 1")  # an assignment is no expression
    with pytest.raises(ScriptRefused):
        scripting.check("x.y", script=True)


def test_date_functions_return_iso_strings():
    assert scripting.evaluate('add_days("2026-03-01T10:00:00+08:00", 2)', {}) == "2026-03-03T10:00:00+08:00"
    assert scripting.evaluate('add_months("2026-01-31T10:00:00+08:00", 1)', {}).startswith("2026-02-28")
    assert len(scripting.evaluate("now()", {})) == 25


def test_get_gives_the_default_for_a_missing_key_or_a_non_mapping():
    assert scripting.evaluate("get(table, 'missing', 5)", {"table": {"k": 1}}) == 5
    assert scripting.evaluate("get(table, 'missing')", {"table": {"k": 1}}) is None
    assert scripting.evaluate("get(3, 'k', 6)", {}) == 6
