"""Deploy-time checks a diagram must pass before it may run, each naming the element it is about.

These read the XML directly (not the parsed spec) so that every place an expression can hide is covered, including
the ones SpiffWorkflow evaluates without going through the task's script engine.
"""
from __future__ import annotations

import re

from lxml import etree

from engine.definitions import forms, scripting
from engine.i18n import N_
from engine.errors import Problem, ScriptRefused

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FORM_PROPERTY = "formJsonSchemaFilename"
EXPRESSION_PROPERTIES = ("candidateUser", "candidateUnit", "dueDate")
_ISO_LITERAL = re.compile(r"^(R\d*/|P(?=\d|T\d)|\d{4}-\d{2}-\d{2})")
_UNSUPPORTED = {
    "task": N_("%(name)s普通任务（无类型）既不会自动执行，也不会出现在任何人的待办中：请改为用户任务或脚本任务"),
    "manualTask": N_("%(name)s手工任务不会出现在任何人的待办中：请改为用户任务"),
    "serviceTask": N_("%(name)s本系统不执行服务任务：请改为用户任务或脚本任务"),
    "sendTask": N_("%(name)s本系统不支持发送任务：请改为消息抛出事件"),
    "businessRuleTask": N_("%(name)s本系统暂不支持业务规则任务（DMN）"),
}


def _owner(node) -> str | None:
    """Id of the nearest enclosing element that has one (the element a problem is about)."""
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _label(node) -> str:
    name = node.get("name")
    return f"“{name}”" if name else ""


# Every element the BPMN 2.0 schema (Semantic.xsd) types as an expression (tExpression / tFormalExpression), whether or
# not SpiffWorkflow evaluates it today, and every SpiffWorkflow extension that holds one: all are checked at deploy
# time, so the runtime sandbox never meets code that deploy let through.
_BPMN_EXPRESSIONS = (
    "conditionExpression",  # sequence flows
    "condition",  # conditional events (start, intermediate, boundary, event sub-process); complex behaviour
    "activationCondition",  # complex gateway
    "loopCondition",  # standard loop
    "loopCardinality", "completionCondition",  # multi-instance; ad-hoc sub-process
    "expression", "formalExpression",  # resource assignment, correlation retrieval, and the substitution group
    "messagePath", "dataPath",  # correlation property retrieval (message and data)
    "from", "to", "transformation",  # data input / output associations
)
_SPIFF_EXPRESSIONS = ("messagePayload", "payloadExpression", "expression")  # message payloads, correlations
_SPIFF_SCRIPTS = ("preScript", "postScript")
_TIMERS = ("timeDate", "timeDuration", "timeCycle")
# Elements an expression sits inside that are not drawn: a problem names the flow element that holds them.
_INNER = re.compile(r"(EventDefinition|LoopCharacteristics|Association|Expression|Performer|Owner)$|^(assignment|"
                    r"ioSpecification|dataInput|dataOutput|inputSet|outputSet|extensionElements|properties|property|"
                    r"processVariableCorrelation|serviceTaskOperator|parameters|parameter|performer)$")


def _site(node) -> str | None:
    """The element an expression belongs to: the nearest enclosing element with an id that a person sees in the
    diagram (the timer event, not its timerEventDefinition; the task, not its loop characteristics)."""
    fallback = None
    parent = node.getparent()
    while parent is not None:
        if isinstance(parent.tag, str) and parent.get("id"):
            fallback = fallback or parent.get("id")
            if not _INNER.search(etree.QName(parent).localname):
                return parent.get("id")
        parent = parent.getparent()
    return fallback or node.get("id")


def _expressions(root):
    """Yield (element id, source, is_script, is_timer) for every expression in the diagram."""
    b, s = NS["bpmn"], NS["spiffworkflow"]
    tags = [f"{{{b}}}{tag}" for tag in _BPMN_EXPRESSIONS] + [f"{{{s}}}{tag}" for tag in _SPIFF_EXPRESSIONS]
    for node in root.iter(*tags):
        if len(node) == 0 and (node.text or "").strip():
            yield _site(node), node.text.strip(), False, False
    for node in root.iter(*(f"{{{b}}}{tag}" for tag in _TIMERS)):
        yield _site(node), (node.text or "").strip(), False, True
    for node in root.iter(f"{{{b}}}script", *(f"{{{s}}}{tag}" for tag in _SPIFF_SCRIPTS)):
        if (node.text or "").strip():
            yield _site(node), node.text, True, False
    for node in root.iter(f"{{{s}}}property"):
        if node.get("name") in EXPRESSION_PROPERTIES and (node.get("value") or "").strip():
            yield _site(node), node.get("value").strip(), False, False
    for node in root.iter(f"{{{s}}}parameter"):  # service task operator parameters are evaluated
        if (node.get("value") or "").strip():
            yield _site(node), node.get("value").strip(), False, False


def _check_expression(element_id, source, is_script, is_timer) -> list[Problem]:
    if is_timer:
        if not source:
            return [Problem(element_id, N_("定时器没有填写时间表达式"))]
        if _ISO_LITERAL.match(source):
            return [Problem(element_id, N_("定时器时间 %(source)s 需要加英文引号，写成 \"%(source)s\"（时间表达式按表达式计算）",
                                           source=source))]
    try:
        scripting.check(source, script=is_script)
    except ScriptRefused as err:
        return [Problem(element_id, err.message)]
    return []


def properties(node) -> dict[str, str]:
    return {p.get("name"): p.get("value") or "" for p in node.iter(f"{{{NS['spiffworkflow']}}}property")}


def check(root, form_files: dict[str, dict | None], role_names: set[str],
          role_keys: set[str] | None = None) -> list[Problem]:
    """All problems of one parsed XML tree; `form_files` maps each referenced form path to its schema (None: missing).
    `role_names` are the lane names roles answer to, `role_keys` what `startRoles` may list."""
    role_keys = role_keys if role_keys is not None else set()
    b = NS["bpmn"]
    problems: list[Problem] = []
    for tag, why in _UNSUPPORTED.items():
        for node in root.iter(f"{{{b}}}{tag}"):
            problems.append(Problem(node.get("id"), N_(why.msgid, name=_label(node))))
    names = {node.get("id"): " ".join(node.get("name").split()) for node in root.iter()
             if isinstance(node.tag, str) and node.get("id") and node.get("name")}
    for element_id, source, is_script, is_timer in _expressions(root):
        for problem in _check_expression(element_id, source, is_script, is_timer):
            if names.get(element_id):  # say where: the step, flow or event it is on
                problem = Problem(element_id, N_("“%(element)s”上的%(problem)s", element=names[element_id],
                                                 problem=problem.message))
            problems.append(problem)

    lane_of: dict[str, str] = {}
    for lane in root.iter(f"{{{b}}}lane"):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lane_of[(ref.text or "").strip()] = lane.get("name") or ""
        if not lane.findall("bpmn:childLaneSet", NS):
            name = (lane.get("name") or "").strip()
            example = "政协办公室" if "政协办公室" in role_names else (sorted(role_names) or ["委员"])[0]
            if not name:
                problems.append(Problem(lane.get("id"), N_("有一条泳道没有名称：请把它命名为一个角色的名称（如“%(example)s”），由持有该角色的人办理其中的步骤",
                                                           example=example)))
            elif name not in role_names:
                problems.append(Problem(lane.get("id"), N_("泳道“%(name)s”没有对应的角色：泳道名称须为角色名称之一", name=name)))

    for node in root.iter(f"{{{NS['spiffworkflow']}}}property"):
        if node.get("name") == "statusOrder" and not (node.get("value") or "").strip().lstrip("-").isdigit():
            problems.append(Problem(_owner(node), N_("状态顺序必须是整数（数字越大，表示越靠后的步骤）")))
    for node in root.iter(f"{{{b}}}userTask", f"{{{b}}}startEvent"):
        element_id, props = node.get("id"), properties(node)
        is_user_task = node.tag == f"{{{b}}}userTask"
        if is_user_task and not lane_of.get(element_id):
            problems.append(Problem(element_id, N_("用户任务%(name)s不在任何泳道中：无法确定由谁办理", name=_label(node))))
        if "startRoles" in props:
            listed = {k.strip() for k in props["startRoles"].replace("，", ",").split(",") if k.strip()}
            unknown = listed - role_keys
            if unknown:
                problems.append(Problem(element_id, N_("可发起角色中没有这些角色：%(roles)s", roles="、".join(sorted(unknown)))))
        if "dueWorkingDays" in props and not props["dueWorkingDays"].strip().isdigit():
            problems.append(Problem(element_id, N_("办理时限（工作日）必须是整数")))
        form_path = props.get(FORM_PROPERTY)
        if not form_path:
            continue
        schema = form_files.get(form_path)
        if schema is None:
            problems.append(Problem(element_id, N_("表单文件 %(path)s 不存在或不是有效的 JSON", path=form_path)))
            continue
        problems.extend(Problem(element_id, N_("表单 %(path)s：%(problem)s", path=form_path, problem=msg))
                        for msg in forms.schema_problems(schema))
    return problems


def form_paths(root) -> set[str]:
    return {p.get("value") for p in root.iter(f"{{{NS['spiffworkflow']}}}property")
            if p.get("name") == FORM_PROPERTY and p.get("value")}
