"""The restricted expression language every diagram expression runs in.

SpiffWorkflow's default environment is plain eval/exec with full builtins; emptying ``__builtins__`` is no sandbox
(attribute walks such as ``().__class__.__base__`` still reach everything). So every expression and script is parsed
and its AST checked against a whitelist before it runs: no attribute access, no names starting with ``_``, calls only
to the functions below, no imports, lambdas, while loops or function definitions. The same check runs at deploy time.
"""
from __future__ import annotations

import ast
import re
import datetime as dt
from functools import lru_cache

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine import clock
from engine.calendar import workdays
from engine.errors import ScriptRefused
from engine.i18n import N_


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _now() -> str:
    return _iso(clock.now())


def _add_working_days(start, days) -> str:
    return _iso(workdays.add_working_days(start, days))


def _add_days(start, days) -> str:
    return _iso(workdays.parse(start) + dt.timedelta(days=int(days)))


def _add_months(start, months) -> str:
    return _iso(workdays.add_months(start, months))


def _get(mapping, key, default=None):
    return mapping.get(key, default) if isinstance(mapping, dict) else default


FUNCTIONS = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "min": min, "max": max, "sum": sum,
    "any": any, "all": all, "sorted": sorted, "abs": abs, "round": round, "list": list, "dict": dict, "set": set,
    "range": range, "enumerate": enumerate, "zip": zip,
    "now": _now, "add_working_days": _add_working_days, "add_days": _add_days, "add_months": _add_months,
    "get": _get,
}
CONSTANTS = {"True": True, "False": False, "None": None}

_EXPRESSION_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv,
    ast.Mod, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt,
    ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.IfExp, ast.Call, ast.keyword, ast.Name, ast.Load, ast.Store,
    ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript, ast.Slice, ast.ListComp, ast.SetComp,
    ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.JoinedStr, ast.FormattedValue,
)
_STATEMENT_NODES = _EXPRESSION_NODES + (
    ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.For, ast.Expr, ast.Pass, ast.Delete, ast.Del,
)


def _describe(node: ast.AST) -> str:
    return {
        ast.Attribute: "属性访问（如 x.y）", ast.Import: "import", ast.ImportFrom: "import", ast.Lambda: "lambda",
        ast.While: "while 循环", ast.FunctionDef: "函数定义", ast.ClassDef: "类定义", ast.Pow: "乘方运算",
    }.get(type(node), type(node).__name__)


def _check_tree(tree: ast.AST, allowed: tuple, source: str) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise ScriptRefused(N_("表达式“%(source)s”使用了不允许的写法：%(value)s。", source=source, value=_describe(node)))
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ScriptRefused(N_("表达式“%(source)s”使用了以下划线开头的名称 %(id)s，不允许。", source=source, id=node.id))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ScriptRefused(N_("表达式“%(source)s”使用了不允许的写法：%(value)s。",
                                       source=source, value=_describe(node.func)))
            if node.func.id not in FUNCTIONS:
                raise ScriptRefused(N_("表达式“%(source)s”调用了不允许的函数 %(id)s。", source=source, id=node.func.id))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("__"):
            raise ScriptRefused(N_("表达式“%(source)s”含有不允许的字符串 %(value)s。", source=source, value=repr(node.value)))


EXAMPLE = 'decision == "同意" and len(units) > 0'

# Python's syntax messages by what went wrong, said in Chinese (never Python's own English text)
_SYNTAX = [
    (("was never closed", "unmatched", "does not match", "unexpected EOF"), N_("括号没有配对")),
    (("unterminated string", "EOL while scanning", "unterminated triple-quoted"), N_("字符串缺少结束的引号")),
    (("invalid character", "invalid non-printable"), N_("含有不能用的字符（如中文括号、引号或逗号，请改用英文标点）")),
    (("cannot assign", "Maybe you meant '=='", "expected ':'"), N_("比较是否相等请写 ==，不要写 =")),
    (("leading zeros",), N_("数字不能以 0 开头")),
    (("unexpected indent", "unindent", "expected an indented block"), N_("缩进不对")),
]


def _syntax_reason(err: SyntaxError, source: str = ""):
    text = err.msg or ""
    if source.lstrip().startswith(("${", "#{", "=")):
        return N_("${…}、#{…} 和开头的 = 是其他系统的写法，这里直接写表达式本身")
    if re.search(r"(?<![=!<>])=(?!=)", source):
        return N_("比较是否相等请写 ==，不要写 =")
    for needles, reason in _SYNTAX:
        if any(needle in text for needle in needles):
            return reason
    return N_("写法不对")


def _near(source: str, err: SyntaxError) -> str:
    line = (source.splitlines() or [""])[max((err.lineno or 1) - 1, 0)] if source else ""
    offset = max(min((err.offset or 1) - 1, len(line)), 0)
    return line[max(offset - 12, 0):offset + 1].strip() or line[:13].strip()


@lru_cache(maxsize=4096)
def compile_expression(source: str):
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as err:
        raise ScriptRefused(N_("表达式“%(source)s”在“%(near)s”处有语法错误：%(reason)s。表达式按本系统的表达式语言（Python 写法）书写，例如 %(example)s",
                               source=source, near=_near(source.strip(), err), reason=_syntax_reason(err, source),
                               example=EXAMPLE)) from None
    _check_tree(tree, _EXPRESSION_NODES, source)
    return compile(tree, "<expression>", "eval")


@lru_cache(maxsize=1024)
def compile_script(source: str):
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as err:
        raise ScriptRefused(N_("脚本第 %(lineno)s 行“%(near)s”处有语法错误：%(reason)s。脚本按 Python 写法书写，例如 total = len(units)",
                               lineno=err.lineno, near=_near(source, err), reason=_syntax_reason(err))) from None
    _check_tree(tree, _STATEMENT_NODES, source)
    return compile(tree, "<script>", "exec")


_RESERVED = {"__builtins__", *CONSTANTS, *FUNCTIONS}


def _scope(*layers: dict | None) -> dict:
    # One dict for globals and locals: comprehensions only see globals.
    scope: dict = {}
    for layer in layers:
        scope.update(layer or {})
    scope.update(CONSTANTS)
    scope.update(FUNCTIONS)
    scope["__builtins__"] = {}
    return scope


def evaluate(source: str, data: dict):
    """Evaluate an expression against task data (used outside the engine too: candidates, due dates)."""
    return eval(compile_expression(source), _scope(data))  # noqa: S307 - AST checked above


class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data environment whose every evaluate/execute goes through the whitelist."""

    def evaluate(self, expression, context, external_context=None):
        return eval(compile_expression(expression), _scope(context, external_context))  # noqa: S307

    def execute(self, script, context, external_context=None):
        code = compile_script(script)
        clashes = set(FUNCTIONS).intersection(context)
        if clashes:
            raise ScriptRefused(N_("数据项名称与内置函数重名：%(value)s，请改名。", value='、'.join(sorted(clashes))))
        scope = _scope(context, external_context)
        exec(code, scope)  # noqa: S102 - AST checked above
        for key, value in scope.items():
            if key in _RESERVED or (external_context and key in external_context):
                continue
            context[key] = value
        for key in [k for k in context if k not in scope]:  # `del x` in the script
            del context[key]
        return True

    def call_service(self, context, **kwargs):
        raise ScriptRefused(N_("本系统不执行服务任务（serviceTask）。"))


def script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment())


def check(source: str, *, script: bool = False) -> None:
    """Raise ScriptRefused if `source` is outside the language (deploy-time lint)."""
    (compile_script if script else compile_expression)(source)
