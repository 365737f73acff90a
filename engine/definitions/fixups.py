"""Fix-ups the modeler offers for diagrams drawn elsewhere (the MIWG reference models, Camunda or Signavio exports): the
changes that make an executable model publishable here, each one named, chosen by the owner and applied to the XML.

- the process marked executable (the one with the most steps, when none is), pools of other participants removed;
- plain, manual, service, send and business-rule tasks turned into user tasks (people do the work here);
- lanes named after roles (the owner picks the role of each lane), a lane added where the process has none, and
  steps outside every lane put in the lane they are drawn in;
- `${…}` (JUEL), `=…` (FEEL) and `getDataObject(…)` conditions rewritten in the expression language;
- ISO timer literals quoted; data stores and data associations (not supported) removed.

What no fix-up can do (an empty timer, a sub-process without a start event …) stays in the problem list, named.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from engine.definitions import lint, scripting
from engine.errors import ScriptRefused
from engine.i18n import N_

B = lint.NS["bpmn"]
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DDI = "http://www.omg.org/spec/DD/20100524/DI"
TO_USER = ("task", "manualTask", "serviceTask", "sendTask", "businessRuleTask")
FLOW_NODES = ("task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "scriptTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess", "startEvent",
              "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
              "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
_TIMER_LITERAL = re.compile(r"^(R\d*/|P(?=\d|T\d)|\d{4}-\d{2}-\d{2})[^\"']*$")
_DROP_ATTRIBUTES = ("implementation", "operationRef", "messageRef")


@dataclass
class Fix:
    kind: str
    message: object  # an N_ message
    elements: list[str] = field(default_factory=list)
    lanes: list[dict] = field(default_factory=list)  # kind "lanes": {"id", "name"} of each lane that needs a role


def _q(tag: str) -> str:
    return f"{{{B}}}{tag}"


def _parse(xml: str):
    return etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))


def main_process(root):
    processes = list(root.iter(_q("process")))
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if len(executable) == 1:
        return executable[0]
    candidates = executable or processes
    if not candidates:
        return None
    return max(candidates, key=lambda p: sum(1 for _n in p.iter(*(_q(t) for t in TO_USER + ("userTask",)))))


def _label(node) -> str:
    name = " ".join((node.get("name") or "").split())
    return f"“{name}”" if name else node.get("id") or ""


def _leaf_lanes(process) -> list:
    return [lane for lane in process.iter(_q("lane")) if lane.find(_q("childLaneSet")) is None]


def offer(xml: str, role_names: set[str]) -> list[Fix]:
    root = _parse(xml)
    process = main_process(root)
    if process is None:
        return []
    fixes: list[Fix] = []
    if process.get("isExecutable") != "true" or any(
            p.get("isExecutable") != "false" for p in root.iter(_q("process")) if p is not process):
        fixes.append(Fix("executable", N_("把流程%(name)s设为可执行（本系统只运行这一个流程）", name=_label(process)),
                         [process.get("id")]))
    others = [p for p in root.iter(_q("process")) if p is not process and not _called(root, p)]
    if others:
        fixes.append(Fix("pools", N_("删除其他参与者的池：%(names)s（本系统只运行一个流程，其余池仅作说明）",
                                     names="、".join(_pool_label(root, p) for p in others)),
                         [p.get("id") for p in others]))
    tasks = [n for n in process.iter(*(_q(t) for t in TO_USER))]
    if tasks:
        fixes.append(Fix("tasks", N_("把 %(n)s 个普通、手工、服务、发送或业务规则任务改为由人办理的用户任务：%(names)s",
                                     n=len(tasks), names="、".join(_label(t) for t in tasks)),
                         [t.get("id") for t in tasks]))
    lanes = [lane for lane in _leaf_lanes(process) if (lane.get("name") or "").strip() not in role_names]
    if lanes:
        fixes.append(Fix("lanes", N_("为 %(n)s 条泳道选择对应的角色（泳道名称改为角色名称）", n=len(lanes)),
                         [lane.get("id") for lane in lanes],
                         [{"id": lane.get("id"), "name": " ".join((lane.get("name") or "").split())} for lane in lanes]))
    if not _leaf_lanes(process):
        fixes.append(Fix("add_lane", N_("流程没有泳道：加一条泳道，所有步骤由所选角色办理"), [process.get("id")]))
    else:
        unlaned = _unlaned(process)
        if unlaned:
            fixes.append(Fix("unlaned", N_("把不在任何泳道中的步骤放进它所在位置的泳道：%(names)s",
                                           names="、".join(_label(n) for n in unlaned)), [n.get("id") for n in unlaned]))
    rewrites = [(node, new) for node, new in _conditions(process)]
    if rewrites:
        fixes.append(Fix("conditions", N_("把 %(n)s 个条件改写为本系统的表达式：%(changes)s", n=len(rewrites),
                                          changes="；".join(f"{(node.text or '').strip()} → {new}" for node, new in rewrites)),
                         [lint._owner(node) for node, _new in rewrites]))
    timers = [node for node in _timers(process)]
    if timers:
        fixes.append(Fix("timers", N_("给定时器时间加上英文引号：%(values)s",
                                      values="、".join((n.text or "").strip() for n in timers)),
                         [lint._owner(n) for n in timers]))
    loops = list(_bad_loops(process))
    if loops:
        fixes.append(Fix("loops", N_("去掉没有实例个数或输入集合的多实例标记（改为执行一次）：%(names)s",
                                     names="、".join(_label(n.getparent()) for n in loops)),
                         [n.getparent().get("id") for n in loops]))
    empty = list(_empty_subs(process))
    if empty:
        fixes.append(Fix("empty", N_("把空的子流程改为用户任务：%(names)s", names="、".join(_label(n) for n in empty)),
                         [n.get("id") for n in empty]))
    splits = list(_splits(process))
    if splits:
        fixes.append(Fix("splits", N_("在有多条流出顺序流的步骤后加一个网关（无条件的分支用并行网关，有条件的用包容网关）：%(names)s",
                                      names="、".join(_label(n) for n in splits)), [n.get("id") for n in splits]))
    starts = list(_startless(process))
    if starts:
        fixes.append(Fix("starts", N_("给没有开始事件的子流程加上开始事件：%(names)s", names="、".join(_label(n) for n in starts)),
                         [n.get("id") for n in starts]))
    stores = list(root.iter(_q("dataStoreReference")))
    links = list(root.iter(_q("dataInputAssociation"), _q("dataOutputAssociation")))
    if stores or links:
        fixes.append(Fix("data", N_("删除 %(stores)s 个数据存储和 %(links)s 条数据关联（本系统不支持，需要保存的内容请作为表单字段填写）",
                                    stores=len(stores), links=len(links)),
                         [n.get("id") for n in stores if n.get("id")]))
    return fixes


def _pool_label(root, process) -> str:
    for participant in root.iter(_q("participant")):
        if participant.get("processRef") == process.get("id") and participant.get("name"):
            return _label(participant)
    return _label(process)


def _called(root, process) -> bool:
    return any(node.get("calledElement") == process.get("id") for node in root.iter(_q("callActivity")))


def _unlaned(process) -> list:
    laned = {(ref.text or "").strip() for lane in _leaf_lanes(process) for ref in lane.iterfind(_q("flowNodeRef"))}
    kinds = {_q(t) for t in FLOW_NODES}
    return [node for node in process.iter() if isinstance(node.tag, str) and node.tag in kinds
            and node.get("id") not in laned]


# ---- conditions: JUEL ${…}, FEEL =…, XPath getDataObject(…) → the expression language -----------------------------

def _name(text: str) -> str:
    return re.sub(r"\W+", "_", text.strip()).strip("_") or "value"


def rewrite_condition(source: str) -> str | None:
    """The condition in the expression language, or None when it cannot be rewritten with confidence."""
    text = source.strip()
    juel = re.fullmatch(r"\$\{(.*)\}", text, re.S) or re.fullmatch(r"#\{(.*)\}", text, re.S)
    if juel:
        text = juel.group(1).strip()
        text = re.sub(r"&&", " and ", text)
        text = re.sub(r"\|\|", " or ", text)
        text = re.sub(r"!(?!=)", " not ", text)
    elif text.startswith("="):
        text = text[1:].strip()
        text = re.sub(r"(?<![<>!=])=(?!=)", "==", text)
        text = re.sub(r"\bsome (\w+) in (\w+) satisfies (.+)", r"any(\3 for \1 in \2)", text)
        text = re.sub(r"\bevery (\w+) in (\w+) satisfies (.+)", r"all(\3 for \1 in \2)", text)
    else:
        text = re.sub(r"(?:bpmn:)?getDataObject\(\s*'([^']+)'\s*\)", lambda m: _name(m.group(1)), text)
        text = re.sub(r"(?<![<>!=])=(?!=)", "==", text)
        # a name with spaces on the left of a comparison (Signavio: Vacation Approval = "Approved")
        text = re.sub(r"^([A-Za-z][\w ]*?\w)\s*(==|!=)", lambda m: f"{_name(m.group(1))} {m.group(2)}", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text or text == source.strip():
        return None
    try:
        scripting.check(text)
    except ScriptRefused:
        return None
    return text


def _conditions(process):
    for node in process.iter(_q("conditionExpression")):
        source = (node.text or "").strip()
        if not source:
            continue
        try:
            scripting.check(source)
            continue
        except ScriptRefused:
            pass
        new = rewrite_condition(source)
        if new is not None:
            yield node, new


def _timers(process):
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for node in process.iter(_q(tag)):
            if _TIMER_LITERAL.match((node.text or "").strip()):
                yield node


# ---- applying ------------------------------------------------------------------------------------------------------

def apply(xml: str, kinds: set[str], lane_roles: dict[str, str] | None = None, role: str | None = None) -> str:
    """The diagram with the chosen fix-ups applied (`lane_roles`: lane id → role name; `role`: the role of a lane
    that is added). Fix-ups that no longer apply are skipped."""
    root = _parse(xml)
    process = main_process(root)
    if process is None:
        return xml
    if "executable" in kinds:
        for other in root.iter(_q("process")):
            if other is not process:
                other.set("isExecutable", "false")
        process.set("isExecutable", "true")
    if "pools" in kinds:
        for other in [p for p in root.iter(_q("process")) if p is not process and not _called(root, p)]:
            _remove_process(root, other)
    if "tasks" in kinds:
        for node in list(process.iter(*(_q(t) for t in TO_USER))):
            node.tag = _q("userTask")
            for attribute in _DROP_ATTRIBUTES:
                node.attrib.pop(attribute, None)
    if "lanes" in kinds:
        for lane in _leaf_lanes(process):
            chosen = (lane_roles or {}).get(lane.get("id"))
            if chosen:
                lane.set("name", chosen)
    if "add_lane" in kinds and not _leaf_lanes(process) and role:
        _add_lane(root, process, role)
    if "unlaned" in kinds or "add_lane" in kinds:
        _put_in_lanes(root, process)
    if "conditions" in kinds:
        for node, new in list(_conditions(process)):
            node.text = new
            for attribute in [a for a in node.attrib if a.endswith("language")]:
                del node.attrib[attribute]
    if "timers" in kinds:
        for node in list(_timers(process)):
            node.text = f'"{(node.text or "").strip()}"'
    if "loops" in kinds:
        for node in list(_bad_loops(process)):
            _remove(node)
    if "empty" in kinds:
        for sub in list(_empty_subs(process)):
            sub.tag = _q("userTask")
            for attribute in ("triggeredByEvent",):
                sub.attrib.pop(attribute, None)
    if "splits" in kinds:
        for node in list(_splits(process)):
            _add_split(root, node)
    if "starts" in kinds:
        for sub in list(_startless(process)):
            _add_start(root, sub)
    if "data" in kinds:
        _remove_data(root)
    return etree.tostring(root, encoding="unicode")


def _shapes(root) -> dict:
    return {s.get("bpmnElement"): s for s in root.iter(f"{{{DI}}}BPMNShape", f"{{{DI}}}BPMNEdge")}


def _remove(node) -> None:
    parent = node.getparent()
    if parent is not None:
        parent.remove(node)


def _remove_process(root, process) -> None:
    gone = {n.get("id") for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
    for participant in list(root.iter(_q("participant"))):
        if participant.get("processRef") == process.get("id"):
            gone.add(participant.get("id"))
            _remove(participant)
    for flow in list(root.iter(_q("messageFlow"))):
        if flow.get("sourceRef") in gone or flow.get("targetRef") in gone:
            gone.add(flow.get("id"))
            _remove(flow)
    for link in list(root.iter(_q("association"))):
        if link.get("sourceRef") in gone or link.get("targetRef") in gone:
            gone.add(link.get("id"))
            _remove(link)
    _remove(process)
    for element_id, shape in _shapes(root).items():
        if element_id in gone:
            _remove(shape)


def _bounds(shape):
    found = shape.find(f"{{{DC}}}Bounds") if shape is not None else None
    if found is None:
        return None
    return tuple(float(found.get(k, 0)) for k in ("x", "y", "width", "height"))


def _add_lane(root, process, role: str) -> None:
    lane_set = etree.Element(_q("laneSet"), id=f"{process.get('id')}_lanes")
    lane_id = f"{process.get('id')}_lane"
    lane = etree.SubElement(lane_set, _q("lane"), id=lane_id, name=role)
    process.insert(_insert_at(process), lane_set)
    participant = next((p for p in root.iter(_q("participant")) if p.get("processRef") == process.get("id")), None)
    pool = _bounds(_shapes(root).get(participant.get("id"))) if participant is not None else None
    if pool is not None:
        plane = next(root.iter(f"{{{DI}}}BPMNPlane"))
        shape = etree.SubElement(plane, f"{{{DI}}}BPMNShape", id=f"{lane_id}_di", bpmnElement=lane_id,
                                 isHorizontal="true")
        x, y, width, height = pool
        etree.SubElement(shape, f"{{{DC}}}Bounds", x=str(x + 30), y=str(y), width=str(width - 30), height=str(height))
    del lane  # filled by _put_in_lanes


def _insert_at(process) -> int:
    """After documentation / extension elements, before the flow elements (the schema's order)."""
    position = 0
    for index, child in enumerate(process):
        if isinstance(child.tag, str) and child.tag in (
                _q("documentation"), _q("extensionElements"), _q("supportedInterfaceRef"), _q("ioSpecification"),
                _q("ioBinding"), _q("auditing"), _q("monitoring"), _q("property")):
            position = index + 1
    return position


def _put_in_lanes(root, process) -> None:
    lanes = _leaf_lanes(process)
    if not lanes:
        return
    shapes = _shapes(root)
    boxes = [(lane, _bounds(shapes.get(lane.get("id")))) for lane in lanes]
    for node in _unlaned(process):
        target = lanes[0]
        box = _bounds(shapes.get(node.get("id")))
        if box is not None:
            cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
            for lane, lane_box in boxes:
                if lane_box and lane_box[0] <= cx <= lane_box[0] + lane_box[2] and lane_box[1] <= cy <= lane_box[1] + lane_box[3]:
                    target = lane
                    break
        ref = etree.SubElement(target, _q("flowNodeRef"))
        ref.text = node.get("id")
        refs = target.findall(_q("flowNodeRef"))
        if refs[0] is not ref:  # flowNodeRefs come before a childLaneSet; keep them together
            refs[-2].addnext(ref)


def _remove_data(root) -> None:
    gone = set()
    for node in list(root.iter(_q("dataInputAssociation"), _q("dataOutputAssociation"))):
        if node.get("id"):
            gone.add(node.get("id"))
        _remove(node)
    for node in list(root.iter(_q("dataStoreReference"))):
        gone.add(node.get("id"))
        _remove(node)
    for node in list(root.iter(_q("dataStore"))):
        _remove(node)
    for link in list(root.iter(_q("association"))):
        if link.get("sourceRef") in gone or link.get("targetRef") in gone:
            gone.add(link.get("id"))
            _remove(link)
    for element_id, shape in _shapes(root).items():
        if element_id in gone:
            _remove(shape)


def _bad_loops(process):
    for node in process.iter(_q("multiInstanceLoopCharacteristics")):
        if node.find(_q("loopCardinality")) is None and node.find(_q("loopDataInputRef")) is None:
            yield node


def _empty_subs(process):
    kinds = {_q(t) for t in FLOW_NODES}
    for sub in process.iter(_q("subProcess"), _q("adHocSubProcess")):
        if not any(isinstance(n.tag, str) and n.tag in kinds for n in sub):
            yield sub


_ACTIVITIES = ("task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "scriptTask",
               "businessRuleTask", "callActivity", "subProcess")


def _splits(process):
    """Activities and events with several outgoing flows (an implicit split the engine refuses)."""
    for container in [process, *process.iter(_q("subProcess"))]:
        flows = container.findall(_q("sequenceFlow"))
        for node in container:
            if not isinstance(node.tag, str) or node.tag not in {_q(t) for t in _ACTIVITIES + ("startEvent",
                                                                                             "intermediateCatchEvent")}:
                continue
            if sum(1 for f in flows if f.get("sourceRef") == node.get("id")) > 1:
                yield node


def _add_split(root, node) -> None:
    container = node.getparent()
    flows = [f for f in container.findall(_q("sequenceFlow")) if f.get("sourceRef") == node.get("id")]
    conditional = any(f.find(_q("conditionExpression")) is not None for f in flows)
    gateway_id, flow_id = f"{node.get('id')}_split", f"{node.get('id')}_split_flow"
    gateway = etree.Element(_q("inclusiveGateway" if conditional else "parallelGateway"), id=gateway_id)
    etree.SubElement(gateway, _q("incoming")).text = flow_id
    for flow in flows:
        flow.set("sourceRef", gateway_id)
        etree.SubElement(gateway, _q("outgoing")).text = flow.get("id")
        if not conditional:
            continue
        if flow.find(_q("conditionExpression")) is None:  # an inclusive branch without condition is always taken
            condition = etree.SubElement(flow, _q("conditionExpression"))
            condition.text = "True"
    for out in node.findall(_q("outgoing")):
        node.remove(out)
    etree.SubElement(node, _q("outgoing")).text = flow_id
    container.insert(container.index(node) + 1, gateway)
    container.append(etree.Element(_q("sequenceFlow"), id=flow_id, sourceRef=node.get("id"), targetRef=gateway_id))
    shapes = _shapes(root)
    box = _bounds(shapes.get(node.get("id")))
    plane = next(root.iter(f"{{{DI}}}BPMNPlane"), None)
    if box is None or plane is None:
        return
    gx, gy = box[0] + box[2] + 20, box[1] + box[3] / 2 - 25
    shape = etree.SubElement(plane, f"{{{DI}}}BPMNShape", id=f"{gateway_id}_di", bpmnElement=gateway_id)
    etree.SubElement(shape, f"{{{DC}}}Bounds", x=str(gx), y=str(gy), width="50", height="50")
    edge = etree.SubElement(plane, f"{{{DI}}}BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
    etree.SubElement(edge, f"{{{DDI}}}waypoint", x=str(box[0] + box[2]), y=str(gy + 25))
    etree.SubElement(edge, f"{{{DDI}}}waypoint", x=str(gx), y=str(gy + 25))
    for flow in flows:
        drawn = shapes.get(flow.get("id"))
        points = drawn.findall(f"{{{DDI}}}waypoint") if drawn is not None else []
        if points:
            points[0].set("x", str(gx + 25))
            points[0].set("y", str(gy + 25))


def _startless(process):
    """Sub-processes without a start event whose steps begin at exactly one element (where a start event goes)."""
    for sub in process.iter(_q("subProcess"), _q("adHocSubProcess"), _q("transaction")):
        if sub.get("triggeredByEvent") == "true" or sub.find(_q("startEvent")) is not None:
            continue
        if len(_entries(sub)) == 1:
            yield sub


def _entries(sub) -> list:
    kinds = {_q(t) for t in FLOW_NODES} - {_q("boundaryEvent")}
    targets = {f.get("targetRef") for f in sub.findall(_q("sequenceFlow"))}
    return [n for n in sub if isinstance(n.tag, str) and n.tag in kinds and n.get("id") not in targets]


def _add_start(root, sub) -> None:
    entry = _entries(sub)[0]
    start_id, flow_id = f"{sub.get('id')}_start", f"{sub.get('id')}_start_flow"
    start = etree.Element(_q("startEvent"), id=start_id)
    etree.SubElement(start, _q("outgoing")).text = flow_id
    flow = etree.Element(_q("sequenceFlow"), id=flow_id, sourceRef=start_id, targetRef=entry.get("id"))
    incoming = etree.Element(_q("incoming"))
    incoming.text = flow_id
    position = len([c for c in entry if isinstance(c.tag, str) and c.tag in (_q("documentation"), _q("extensionElements"))])
    entry.insert(position, incoming)
    sub.insert(entry.getparent().index(entry), start)
    sub.append(flow)
    shapes = _shapes(root)
    box, outer = _bounds(shapes.get(entry.get("id"))), _bounds(shapes.get(sub.get("id")))
    plane = next(root.iter(f"{{{DI}}}BPMNPlane"), None)
    if box is None or outer is None or plane is None:
        return
    cy = box[1] + box[3] / 2
    x = max(outer[0] + 6, box[0] - 56)
    shape = etree.SubElement(plane, f"{{{DI}}}BPMNShape", id=f"{start_id}_di", bpmnElement=start_id)
    etree.SubElement(shape, f"{{{DC}}}Bounds", x=str(x), y=str(cy - 18), width="36", height="36")
    edge = etree.SubElement(plane, f"{{{DI}}}BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
    etree.SubElement(edge, f"{{{DDI}}}waypoint", x=str(x + 36), y=str(cy))
    etree.SubElement(edge, f"{{{DDI}}}waypoint", x=str(box[0]), y=str(cy))
