"""Deployed versions of a process: the list with who and when, a semantic diff between two, restoring an old one.

The diff reads the BPMN XML (lxml) and compares elements by id, by what matters to the people who work with the
process: names, types, lanes, the spiffworkflow properties (forms, deadlines, candidates), instructions, scripts,
conditions, timers and connections. Diagram layout (DI) is ignored.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import deploy as definitions, working_copies as drafts, lint
from engine.errors import Conflict, NotFound
from engine.models import ProcessVersion, User
from engine.i18n import N_

B, S = lint.NS["bpmn"], lint.NS["spiffworkflow"]
KINDS = {
    "process": "流程", "participant": "池", "lane": "泳道", "userTask": "用户任务", "scriptTask": "脚本任务",
    "task": "任务", "manualTask": "手工任务", "serviceTask": "服务任务", "sendTask": "发送任务",
    "receiveTask": "接收任务", "businessRuleTask": "业务规则任务", "callActivity": "调用流程", "subProcess": "子流程",
    "startEvent": "开始事件", "endEvent": "结束事件", "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件", "boundaryEvent": "边界事件", "exclusiveGateway": "排他网关",
    "parallelGateway": "并行网关", "inclusiveGateway": "包容网关", "eventBasedGateway": "事件网关",
    "sequenceFlow": "顺序流", "messageFlow": "消息流", "dataObjectReference": "数据对象",
    "dataStoreReference": "数据存储", "textAnnotation": "注释", "association": "关联",
}
LABELS = {
    "name": "名称", "type": "类型", "lane": "泳道", "formJsonSchemaFilename": "表单", "dueWorkingDays": "办理时限（工作日）",
    "dueDate": "截止日期表达式", "candidateUser": "指定办理人", "candidateUnit": "指定办理单位",
    "instructionsForEndUser": "办理说明", "preScript": "前置脚本", "postScript": "后置脚本", "script": "脚本",
    "condition": "条件", "default": "默认流向", "timer": "定时器", "source": "起点", "target": "终点",
    "calledElement": "调用的流程", "attachedToRef": "附着于", "cancelActivity": "中断", "message": "消息",
    "loop": "多实例", "documentation": "说明文档", "isExecutable": "可执行",
    "statusLabel": "状态名称", "statusOrder": "状态顺序", "statusPrefix": "状态前缀",
}
_SKIP_TAGS = {"incoming", "outgoing", "flowNodeRef", "extensionElements", "laneSet", "childLaneSet"}


@dataclass
class Change:
    kind: str  # added | removed | changed
    element_id: str
    element_type: str  # Chinese
    name: str
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)


def history(session: Session, process_key: str) -> list[tuple[ProcessVersion, User | None]]:
    rows = session.execute(select(ProcessVersion, User).outerjoin(User, User.id == ProcessVersion.deployed_by_id)
                           .where(ProcessVersion.process_key == process_key)
                           .order_by(ProcessVersion.version.desc())).all()
    if not rows:
        raise NotFound(N_("流程 %(process_key)s 尚未发布。", process_key=process_key))
    return [(version, user) for version, user in rows]


def get(session: Session, process_key: str, number: int) -> ProcessVersion:
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == process_key,
                                                           ProcessVersion.version == number)).first()
    if version is None:
        raise NotFound(N_("流程 %(process_key)s 没有第 %(number)s 版。", process_key=process_key, number=number))
    return version


def restore(session: Session, process_key: str, number: int, actor: User) -> ProcessVersion:
    """Deploy an old version's diagram and forms again as the next version; the working copy becomes it too."""
    old = get(session, process_key, number)
    latest = definitions.latest_version(session, process_key)
    if old.sha256 == latest.sha256:
        raise Conflict(N_("第 %(number)s 版与当前最新版本内容相同，无需恢复。", number=number))
    root = etree.fromstring(old.bpmn_xml.encode("utf-8"))
    files = {path: old.forms.get(path) for path in lint.form_paths(root)}
    checked = definitions.check(old.bpmn_xml, files, definitions.role_names(session),
                                definitions.called_versions(session, root), definitions.previous_versions(session, root))
    version = definitions.store(session, checked, actor)
    drafts.replace(session, process_key, version.name, version.bpmn_xml, version.forms, actor,
                   base_version=version.version)
    return version


def diff(old: ProcessVersion, new: ProcessVersion) -> list[Change]:
    changes = diff_xml(old.bpmn_xml, new.bpmn_xml)
    for path in sorted(set(old.forms) | set(new.forms)):
        before, after = old.forms.get(path), new.forms.get(path)
        if before == after:
            continue
        kind = "added" if before is None else "removed" if after is None else "changed"
        title = str((after or before or {}).get("title") or path)
        details = [] if kind != "changed" else _form_details(before, after)
        changes.append(Change(kind, path, "表单", title, details))
    return changes


def diff_xml(old_xml: str, new_xml: str) -> list[Change]:
    old, new = _elements(old_xml), _elements(new_xml)
    changes: list[Change] = []
    for element_id, (tag, sig) in new.items():
        if element_id not in old:
            changes.append(Change("added", element_id, KINDS.get(tag, tag), sig.get("name", "")))
    for element_id, (tag, sig) in old.items():
        if element_id not in new:
            changes.append(Change("removed", element_id, KINDS.get(tag, tag), sig.get("name", "")))
            continue
        new_tag, new_sig = new[element_id]
        details = []
        if new_tag != tag:
            details.append((LABELS["type"], KINDS.get(tag, tag), KINDS.get(new_tag, new_tag)))
        for key in sorted(set(sig) | set(new_sig), key=_order):
            if sig.get(key, "") != new_sig.get(key, ""):
                details.append((LABELS.get(key, key), sig.get(key, ""), new_sig.get(key, "")))
        if details:
            changes.append(Change("changed", element_id, KINDS.get(new_tag, new_tag),
                                  new_sig.get("name") or sig.get("name", ""), details))
    return changes


def _order(key: str) -> tuple[int, str]:
    keys = list(LABELS)
    return (keys.index(key) if key in keys else len(keys), key)


def _elements(xml: str) -> dict[str, tuple[str, dict[str, str]]]:
    """id → (local tag, signature) for every semantic element with an id (DI and definitions-level helpers aside)."""
    root = etree.fromstring(xml.encode("utf-8"))
    lane_of = {}
    for lane in root.iter(f"{{{B}}}lane"):
        for ref in lane.iterfind(f"{{{B}}}flowNodeRef"):
            lane_of[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    found = {}
    for container in root.iter(f"{{{B}}}process", f"{{{B}}}collaboration"):
        for node in container.iter():
            if not isinstance(node.tag, str) or not node.get("id") or not node.tag.startswith(f"{{{B}}}"):
                continue
            tag = etree.QName(node).localname
            if tag in _SKIP_TAGS or node.getparent() is not None and etree.QName(node.getparent()).localname in (
                    "multiInstanceLoopCharacteristics", "timerEventDefinition", "messageEventDefinition",
                    "conditionalEventDefinition", "ioSpecification"):
                continue
            if tag.endswith("EventDefinition") or tag in ("conditionExpression", "formalExpression",
                                                          "multiInstanceLoopCharacteristics", "property"):
                continue
            found[node.get("id")] = (tag, _signature(node, lane_of))
    return found


def _signature(node, lane_of: dict[str, str]) -> dict[str, str]:
    sig: dict[str, str] = {}
    for attr in ("name", "default", "calledElement", "attachedToRef", "cancelActivity", "isExecutable"):
        if node.get(attr) is not None:
            sig[attr] = node.get(attr).strip()
    if sig.get("cancelActivity") == "true":  # the default: modelers leave it out
        del sig["cancelActivity"]
    if node.get("sourceRef"):
        sig["source"], sig["target"] = node.get("sourceRef"), node.get("targetRef") or ""
    if node.get("id") in lane_of:
        sig["lane"] = lane_of[node.get("id")]
    extensions = node.find(f"{{{B}}}extensionElements")
    if extensions is not None:
        sig.update(lint.properties(extensions))
        for tag in ("instructionsForEndUser", "preScript", "postScript"):
            child = extensions.find(f"{{{S}}}{tag}")
            if child is not None and (child.text or "").strip():
                sig[tag] = child.text.strip()
    for tag, key in (("script", "script"), ("conditionExpression", "condition"), ("documentation", "documentation")):
        child = node.find(f"{{{B}}}{tag}")
        if child is not None and (child.text or "").strip():
            sig[key] = child.text.strip()
    timer = node.find(f"{{{B}}}timerEventDefinition")
    if timer is not None:
        sig["timer"] = " ".join((child.text or "").strip() for child in timer)
    message = node.find(f"{{{B}}}messageEventDefinition")
    if message is not None:
        sig["message"] = message.get("messageRef") or ""
    loop = node.find(f"{{{B}}}multiInstanceLoopCharacteristics")
    if loop is not None:
        sig["loop"] = etree.tostring(loop, method="c14n").decode("utf-8")
    return sig


def _form_details(before: dict, after: dict) -> list[tuple[str, str, str]]:
    details = []
    if before.get("title") != after.get("title"):
        details.append(("标题", str(before.get("title") or ""), str(after.get("title") or "")))
    old_props, new_props = before.get("properties") or {}, after.get("properties") or {}
    for key in new_props.keys() - old_props.keys():
        details.append(("新增字段", "", str(new_props[key].get("title") or key)))
    for key in old_props.keys() - new_props.keys():
        details.append(("删除字段", str(old_props[key].get("title") or key), ""))
    for key in old_props.keys() & new_props.keys():
        if old_props[key] != new_props[key]:
            details.append((f"字段“{new_props[key].get('title') or key}”",
                            json.dumps(old_props[key], ensure_ascii=False), json.dumps(new_props[key], ensure_ascii=False)))
    if before.get("required") != after.get("required"):
        details.append(("必填项", "、".join(before.get("required") or []), "、".join(after.get("required") or [])))
    if not details:
        details.append(("其他设置", "", "已修改"))
    return details
