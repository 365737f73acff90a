"""Deploy problems made readable for a process owner: the engine's English sentences in Chinese, structural reasons
a diagram cannot run (no executable process, no lanes) spelled out, and every problem pinned to an element that is
drawn on the canvas, so that clicking it in the modeler selects something."""
from __future__ import annotations

import re

from engine.definitions import lint
from engine.errors import Problem
from engine.i18n import N_

B = lint.NS["bpmn"]
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
ENGINE = "流程引擎无法加载此图："
_TRANSLATIONS = [
    (re.compile(r"Data Store with name (.*?) has no implementation"),
     "数据存储“{0}”在本系统中没有实现：请删除数据存储，需要保存的内容请作为表单字段填写"),
    (re.compile(r"A Service Task must have an operator"), "服务任务没有指定要调用的服务：本系统不执行服务任务，请改为用户任务"),
    (re.compile(r"Exactly one start event is required in a SubWorkflow Task; found (\d+)"),
     "子流程中必须有且只有一个开始事件（现有 {0} 个）"),
    (re.compile(r"Cannot resolve data(Input|Output)Association"),
     "本系统不支持数据对象或数据存储之间的数据关联（虚线箭头）：请删除这条关联，数据请用表单字段传递"),
    (re.compile(r"A multiinstance task must specify a cardinality or a loop input data reference"),
     "多实例任务须指定实例个数或输入集合"),
    (re.compile(r"Multiple outgoing flows"), "有多条流出的顺序流：请在它们之前加一个网关"),
    (re.compile(r"Non-default exclusive outgoing sequence flow without condition"),
     "排他网关有一条流出的顺序流既没有条件、也不是默认流向：请在属性中给它写条件（如 decision == \"同意\"），或把它设为默认流向"),
]


def explain(root, checked, roles: dict[str, str], form_files: dict) -> list[Problem]:
    problems = list(checked.problems)
    if not checked.process_key:  # the checks stopped early: show what the diagram checks find as well
        problems.extend(lint.check(root, form_files, set(roles), set(roles.values())))
    problems.extend(_structure(root))
    drawn = {node.get("bpmnElement") for node in root.iter(f"{{{DI}}}BPMNShape", f"{{{DI}}}BPMNEdge")}
    by_id = {node.get("id"): node for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    participants = {node.get("processRef"): node.get("id") for node in root.iter(f"{{{B}}}participant")}
    seen: set[tuple] = set()
    result = []
    for problem in problems:
        message = _translate(problem.message)
        element_id = problem.element_id or _named_element(root, problem.message)
        element_id = _drawn(element_id, by_id, drawn, participants)
        if (element_id, message) not in seen:
            seen.add((element_id, message))
            result.append(Problem(element_id, message))
    return result


def _structure(root) -> list[Problem]:
    found = []
    called = {node.get("calledElement") for node in root.iter(f"{{{B}}}callActivity")}
    for process in root.iter(f"{{{B}}}process"):
        label = process.get("name") or process.get("id")
        if process.get("isExecutable") != "true" and process.get("id") not in called:
            found.append(Problem(process.get("id"), N_("流程“%(label)s”标为不可执行（isExecutable 不是 true），只能查看和修改，不能发布运行",
                                                       label=label)))
        has_steps = next(process.iter(f"{{{B}}}userTask", f"{{{B}}}task", f"{{{B}}}manualTask"), None) is not None
        if has_steps and next(process.iter(f"{{{B}}}lane"), None) is None:
            found.append(Problem(process.get("id"), N_("流程“%(label)s”没有泳道：每个步骤须放在以角色命名的泳道中，才能确定由谁办理", label=label)))
    for tag, why in (("dataStoreReference", N_("数据存储")), ("complexGateway", N_("复杂网关")),
                     ("choreographyTask", N_("编排任务")), ("conversation", N_("会话"))):
        for node in root.iter(f"{{{B}}}{tag}"):
            found.append(Problem(node.get("id"), N_("本系统不支持%(why)s“%(name)s”",
                                                    why=why, name=node.get("name")) if node.get("name")
                                 else N_("本系统不支持%(why)s", why=why)))
    return found


def _translate(message: str) -> str:
    if not message.startswith(ENGINE):
        return message
    text = message[len(ENGINE):]
    for pattern, chinese in _TRANSLATIONS:
        match = pattern.search(text)
        if match:
            return chinese.format(*match.groups())
    return message


def _named_element(root, message: str) -> str | None:
    """Engine messages about data stores name the store, not its id."""
    match = re.search(r"Data Store with name (.*?) has no implementation", message)
    if not match:
        return None
    stores = {node.get("id") for node in root.iter(f"{{{B}}}dataStore") if node.get("name") == match.group(1)}
    for node in root.iter(f"{{{B}}}dataStoreReference"):
        if node.get("name") == match.group(1) or node.get("dataStoreRef") in stores:
            return node.get("id")
    return None


def _drawn(element_id, by_id: dict, drawn: set, participants: dict) -> str | None:
    node = by_id.get(element_id)
    while node is not None:
        node_id = node.get("id")
        if node_id in drawn:
            return node_id
        if node.tag == f"{{{B}}}process" and participants.get(node_id) in drawn:
            return participants[node_id]
        node = node.getparent()
    return None
