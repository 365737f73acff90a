"""Working copies a process owner edits in the browser: open, save, import, validate with the deploy checks, deploy.

A working copy is the diagram and its forms between edits (engine/definitions/records.py). Deploying one runs exactly
the checks `definitions.deploy_file` runs and stores the next immutable version with its forms pinned.
"""
from __future__ import annotations

import re

from lxml import etree
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import clock
from engine.definitions import deploy as definitions, forms, lint
from engine.errors import Conflict, DeployError, FormInvalid, NotFound, Problem, TooLarge, XieshangError
from engine.models import ProcessVersion, User
from engine.definitions.records import DraftDiagram, DraftForm
from engine.i18n import N_, joined
from engine.definitions.keys import free_key

KEY = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
FORM_PATH = re.compile(r"^forms/[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\.json$")
B = lint.NS["bpmn"]
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
MAX_BYTES = 5 * 2**20  # a diagram, as imported or saved from the modeler


def get(session: Session, key: str) -> DraftDiagram:
    """The working copy of a process to look at. A process nobody has changed since it was deployed has none stored:
    its latest version is shown as an unsaved copy (nothing is written until the owner changes something)."""
    draft = session.get(DraftDiagram, key)
    if draft is not None:
        return draft
    latest = _latest(session, key)
    return DraftDiagram(key=key, name=latest.name, bpmn_xml=latest.bpmn_xml, base_version=latest.version)


def working(session: Session, key: str) -> DraftDiagram:
    """The stored working copy to change, made from the latest deployed version the first time something changes."""
    draft = session.get(DraftDiagram, key)
    if draft is not None:
        return draft
    latest = _latest(session, key)
    return replace(session, key, latest.name, latest.bpmn_xml, latest.forms, None, base_version=latest.version)


def _latest(session: Session, key: str) -> ProcessVersion:
    latest = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key)
                             .order_by(ProcessVersion.version.desc()).limit(1)).first()
    if latest is None:
        raise NotFound(N_("没有名为 %(key)s 的流程。", key=key))
    return latest


def replace(session: Session, key: str, name: str, xml: str, form_files: dict[str, dict], actor: User | None,
            base_version: int | None = None) -> DraftDiagram:
    """Make (or overwrite) the working copy with this diagram and these forms."""
    check_size(xml)
    draft = session.get(DraftDiagram, key) or DraftDiagram(key=key)
    draft.name, draft.bpmn_xml, draft.base_version = name, xml, base_version
    _touch(draft, actor)
    session.add(draft)
    session.flush()
    existing = {row.path: row for row in session.scalars(select(DraftForm).where(DraftForm.draft_key == key))}
    for path, schema in form_files.items():
        row = existing.get(path) or DraftForm(draft_key=key, path=path)
        row.schema = schema
        _touch(row, actor)
        session.add(row)
    session.flush()
    return draft


def drafts(session: Session) -> list[DraftDiagram]:
    return list(session.scalars(select(DraftDiagram).order_by(DraftDiagram.key)))


def create(session: Session, key: str, name: str, actor: User, starter: str | None = None,
           handler: str | None = None) -> DraftDiagram:
    """A new procedure from the template: a start form in the lane of the role that starts it, one step with its
    form in the lane of the role that handles it (one lane when they are the same). Without a key, one is made
    from the name (pinyin for Chinese)."""
    key, name = (key or "").strip(), (name or "").strip()
    if not name:
        raise XieshangError(N_("请填写流程名称。"))
    if not key:
        key = free_key(session, name)
    if not KEY.match(key):
        raise XieshangError(N_("流程编号须以小写字母开头，只含小写字母、数字和下划线（2～60 个字符），例如 visit_record。"))
    if session.get(DraftDiagram, key) is not None or session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.process_key == key).limit(1)) is not None:
        raise Conflict(N_("流程编号 %(key)s 已被使用，请换一个。", key=key))
    roles = set(definitions.role_names(session))
    starter, handler = (starter or "").strip() or OFFICE, (handler or "").strip() or OFFICE
    for role in (starter, handler):
        if role not in roles:
            raise XieshangError(N_("没有名为“%(role)s”的角色：请从列表中选择。", role=role))
    start_form = {"type": "object", "title": name, "properties": {
        "title": {"type": "string", "title": "事项标题", "maxLength": 200},
        "content": {"type": "string", "title": "事项内容", "x-widget": "textarea", "maxLength": 5000}},
        "required": ["title"], "x-readonly-from": ["opinion"]}  # on 修改: why it came back
    step_form = {"type": "object", "title": "办理意见", "properties": {
        "opinion": {"type": "string", "title": "办理意见", "x-widget": "textarea", "maxLength": 5000},
        "decision": {"type": "string", "title": "办理结果", "description": "需要发起人修改的，选“退回修改”",
                     "oneOf": [{"const": "办结", "title": "办结"}, {"const": "退回修改", "title": "退回修改"}]}},
        "required": ["opinion"], "x-readonly-from": ["title", "content"]}
    return replace(session, key, name, template(key, name, starter, handler),
                   {f"forms/{key}/start.json": start_form, f"forms/{key}/handle.json": step_form}, actor)


OFFICE = "政协办公室"


def main_process(root):
    """The process a diagram runs as: its first executable process, else its first process (None: there is none)."""
    processes = list(root.iter(f"{{{B}}}process"))
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    return (executable or processes or [None])[0]


def process_id(xml: str) -> str | None:
    root = _parse(xml.encode("utf-8"))
    process = main_process(root) if root is not None else None
    return process.get("id") if process is not None else None


def check_size(xml: str | bytes) -> None:
    """A working copy is never larger than import would take (MAX_BYTES): it is rewritten at every save and parsed
    at every check."""
    size = len(xml.encode("utf-8") if isinstance(xml, str) else xml)
    if size > MAX_BYTES:
        raise TooLarge(N_("流程图过大（%(size)s MB，最多 %(limit)s MB），未保存。", size=f"{size / 2**20:.1f}",
                          limit=f"{MAX_BYTES / 2**20:g}"))


def save(session: Session, key: str, xml: str, actor: User) -> DraftDiagram:
    check_size(xml)
    draft = working(session, key)
    root = _parse(xml.encode("utf-8"))
    if root is None:
        raise XieshangError(N_("流程图不是有效的 XML，未保存。"))
    draft.bpmn_xml = _keep_layout(draft.bpmn_xml, root) or xml
    process = main_process(root)
    if process is not None and process.get("name"):
        draft.name = process.get("name")
    _touch(draft, actor)
    session.flush()
    return draft


def _keep_layout(previous: str, root) -> str | None:
    """The modeler draws only what a participant or the main process holds (e.g. not a called process expanded in
    place); put the layout of such elements, which it leaves out on saving, back in. None: nothing to add."""
    before = _parse(previous.encode("utf-8"))
    plane = next(root.iter(f"{{{DI}}}BPMNPlane"), None)
    if before is None or plane is None:
        return None
    ids = {node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    drawn = {node.get("bpmnElement") for node in root.iter(f"{{{DI}}}BPMNShape", f"{{{DI}}}BPMNEdge")}
    lost = [node for node in before.iter(f"{{{DI}}}BPMNShape", f"{{{DI}}}BPMNEdge")
            if node.get("bpmnElement") in ids - drawn and node.get("id") not in ids]
    if not lost:
        return None
    for node in lost:
        plane.append(node)
    return etree.tostring(root, encoding="unicode")


def form_files(session: Session, key: str) -> dict[str, dict]:
    if session.get(DraftDiagram, key) is None:
        return dict(sorted(_latest(session, key).forms.items()))
    return {row.path: row.schema for row in
            session.scalars(select(DraftForm).where(DraftForm.draft_key == key).order_by(DraftForm.path))}


def referenced_forms(draft: DraftDiagram) -> dict[str, str]:
    """Form path → id of the first element that names it in the working copy's diagram."""
    root = _parse(draft.bpmn_xml.encode("utf-8"))
    found: dict[str, str] = {}
    if root is None:
        return found
    for prop in root.iter(f"{{{lint.NS['spiffworkflow']}}}property"):
        if prop.get("name") == lint.FORM_PROPERTY and prop.get("value"):
            found.setdefault(prop.get("value"), _owner_id(prop))
    return found


def form_users(draft: DraftDiagram) -> dict[str, list[str]]:
    """Form path → the names of the steps (or start events) that show it, in the diagram's order (an unnamed one by
    its id)."""
    root = _parse(draft.bpmn_xml.encode("utf-8"))
    found: dict[str, list[str]] = {}
    if root is None:
        return found
    for prop in root.iter(f"{{{lint.NS['spiffworkflow']}}}property"):
        if prop.get("name") == lint.FORM_PROPERTY and prop.get("value"):
            owner = prop
            while owner is not None and not owner.get("id"):
                owner = owner.getparent()
            label = " ".join((owner.get("name") or "").split()) or owner.get("id") if owner is not None else ""
            names = found.setdefault(prop.get("value"), [])
            if label and label not in names:
                names.append(label)
    return found


def save_form(session: Session, key: str, path: str, schema, actor: User) -> DraftForm:
    """Keep a form schema in the working copy; an invalid schema is refused and nothing changes."""
    if not FORM_PATH.match(path or "") or ".." in path:
        raise FormInvalid({"path": N_("表单路径须形如 forms/流程编号/步骤.json，只含字母、数字、下划线和连字符")})
    problems = forms.schema_problems(schema)
    if problems:
        raise FormInvalid({"schema": joined(problems)}, N_("表单未保存：%(problems)s", problems=joined(problems)))
    schema = forms.with_default_limits(schema)
    working(session, key)
    row = session.scalars(select(DraftForm).where(DraftForm.draft_key == key, DraftForm.path == path)).first()
    row = row or DraftForm(draft_key=key, path=path)
    row.schema = schema
    _touch(row, actor)
    session.add(row)
    session.flush()
    return row


def validate(session: Session, key: str, xml: str | None = None) -> tuple[definitions.Checked, list[Problem]]:
    """The deploy checks on the working copy (or on `xml`), each problem explained and pinned to a drawn element."""
    from engine.definitions.explain import explain

    draft = get(session, key)
    raw = (xml if xml is not None else draft.bpmn_xml).encode("utf-8")
    root = _parse(raw)
    if root is None:
        checked = definitions.check(raw, {}, {})
        return checked, checked.problems
    drafted = form_files(session, key)
    files = {path: drafted.get(path) for path in lint.form_paths(root)}
    roles = definitions.role_names(session)
    latest = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key)
                             .order_by(ProcessVersion.version.desc()).limit(1)).first()
    checked = definitions.check(raw, files, roles, definitions.called_versions(session, root),
                                {key: latest.bpmn_xml} if latest is not None else {}, key=key)
    expected = process_id(latest.bpmn_xml) if latest is not None else None
    if checked.process_id and expected and checked.process_id != expected:
        checked.problems.append(Problem(checked.process_id, N_("流程编号（ID）须保持为 %(key)s：改名请只改“名称”", key=expected)))
    return checked, explain(root, checked, roles, files)


def discard(session: Session, key: str) -> bool:
    """Throw the working copy away; True if the process is deployed (opening it again shows the latest version),
    False if it never was (it is gone)."""
    draft = session.get(DraftDiagram, key)
    deployed = session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_key == key).limit(1)) is not None
    if draft is None:
        if not deployed:
            raise NotFound(N_("没有名为 %(key)s 的流程。", key=key))
        return True
    session.execute(delete(DraftForm).where(DraftForm.draft_key == key))
    session.delete(draft)
    session.flush()
    return deployed


def deploy(session: Session, key: str, actor: User, xml: str | None = None) -> ProcessVersion:
    """Store the working copy as the next version (running instances stay on theirs)."""
    if xml is not None:
        save(session, key, xml, actor)
    checked, problems = validate(session, key)
    if problems:
        raise DeployError(problems)
    before = session.scalar(select(ProcessVersion.id).where(ProcessVersion.sha256 == checked.sha256,
                                                           ProcessVersion.process_key == key).limit(1))
    if before is not None and definitions.latest_version(session, key).id == before:
        raise Conflict(N_("与当前已发布的版本相比没有任何改动，无需发布。"))
    version = definitions.store(session, checked, actor)
    working(session, key).base_version = version.version
    return version


def template(key: str, name: str, starter: str = OFFICE, handler: str = OFFICE) -> str:
    """The new-procedure template: 登记事项 (the starter's lane) → 办理 (the handler's lane) → 办结, or 退回修改 back to
    the one who started it (修改, the start form again) and then to 办理 once more."""
    same = starter == handler
    lanes = [("lane_office" if starter == OFFICE else "lane_start", starter,
              ["start", "revise"] + (["handle", "gw_handled", "end"] if same else []))]
    if not same:
        lanes.append(("lane_office" if handler == OFFICE else "lane_handle", handler, ["handle", "gw_handled", "end"]))
    height = 260 if same else 180
    row_s = 170
    row_h = row_s if same else 80 + height + 90
    rev_y = row_s + 60 if same else row_s - 40
    shapes = {"start": (212, row_s - 18, 36, 36), "handle": (310, row_h - 40, 100, 80),
              "gw_handled": (470, row_h - 25, 50, 50), "end": (600, row_h - 18, 36, 36), "revise": (470, rev_y, 100, 80)}
    edges = {
        "f_start": [(248, row_s), (310, row_s)] if same else [(248, row_s), (360, row_s), (360, row_h - 40)],
        "f_handled": [(410, row_h), (470, row_h)],
        "f_end": [(520, row_h), (600, row_h)],
        "f_return": [(495, row_h + 25), (495, rev_y)] if same else [(495, row_h - 25), (495, rev_y + 80)],
        "f_revised": [(470, rev_y + 40), (360, rev_y + 40), (360, row_h + 40)] if same else
                     [(570, row_s), (660, row_s), (660, row_h + 70), (360, row_h + 70), (360, row_h + 40)],
    }
    lane_xml = "".join(
        f'      <bpmn:lane id="{lane_id}" name="{_xml_attr(role)}">\n'
        + "".join(f"        <bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>\n" for ref in refs)
        + "      </bpmn:lane>\n" for lane_id, role, refs in lanes)
    di = "".join(
        f'      <bpmndi:BPMNShape id="{lane_id}_di" bpmnElement="{lane_id}" isHorizontal="true">'
        f'<dc:Bounds x="150" y="{80 + index * height}" width="730" height="{height}" /></bpmndi:BPMNShape>\n'
        for index, (lane_id, _role, _refs) in enumerate(lanes))
    marker = ' isMarkerVisible="true"'
    above = '<bpmndi:BPMNLabel><dc:Bounds x="{x}" y="{y}" width="60" height="14" /></bpmndi:BPMNLabel>'
    di += "".join(f'      <bpmndi:BPMNShape id="{ref}_di" bpmnElement="{ref}"{marker if ref.startswith("gw") else ""}>'
                  f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" />'
                  + (above.format(x=x - 5, y=y - 20) if ref.startswith("gw") else "") + "</bpmndi:BPMNShape>\n"
                  for ref, (x, y, w, h) in shapes.items())
    di += "".join(f'      <bpmndi:BPMNEdge id="{ref}_di" bpmnElement="{ref}">'
                  + "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points) + "</bpmndi:BPMNEdge>\n"
                  for ref, points in edges.items())
    return TEMPLATE.format(key=key, name=_xml_attr(name), lanes=lane_xml, di=di, pool_height=height * len(lanes))


def _xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _parse(raw: bytes):
    try:
        return etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None


def _owner_id(node) -> str:
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else ""


def _touch(row, actor: User | None) -> None:
    row.updated_by_id = actor.id if actor else None
    row.updated_at = clock.now()


TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
id="{key}_definitions" targetNamespace="http://bpmn.io/schema/bpmn" exporter="xieshang" exporterVersion="1">
  <bpmn:collaboration id="{key}_collaboration">
    <bpmn:participant id="{key}_participant" name="{name}" processRef="{key}" />
  </bpmn:collaboration>
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">
{lanes}    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="登记事项">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="forms/{key}/start.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:outgoing>f_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="handle" name="办理">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="forms/{key}/handle.json" />
          <spiffworkflow:property name="dueWorkingDays" value="5" />
          <spiffworkflow:property name="statusLabel" value="待办理" />
        </spiffworkflow:properties>
        <spiffworkflow:instructionsForEndUser>请阅读事项内容并填写办理意见；需要发起人修改的，选择“退回修改”并写明理由。</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f_start</bpmn:incoming>
      <bpmn:incoming>f_revised</bpmn:incoming>
      <bpmn:outgoing>f_handled</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw_handled" name="办理结果" default="f_end">
      <bpmn:incoming>f_handled</bpmn:incoming>
      <bpmn:outgoing>f_end</bpmn:outgoing>
      <bpmn:outgoing>f_return</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="revise" name="修改">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="forms/{key}/start.json" />
          <spiffworkflow:property name="candidateUser" value="started_by" />
          <spiffworkflow:property name="dueWorkingDays" value="5" />
          <spiffworkflow:property name="statusLabel" value="待修改" />
        </spiffworkflow:properties>
        <spiffworkflow:instructionsForEndUser>事项被退回修改：请按办理意见修改后重新提交。</spiffworkflow:instructionsForEndUser>
      </bpmn:extensionElements>
      <bpmn:incoming>f_return</bpmn:incoming>
      <bpmn:outgoing>f_revised</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="办结">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="statusLabel" value="已办结" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="handle" />
    <bpmn:sequenceFlow id="f_handled" sourceRef="handle" targetRef="gw_handled" />
    <bpmn:sequenceFlow id="f_end" name="办结" sourceRef="gw_handled" targetRef="end" />
    <bpmn:sequenceFlow id="f_return" name="退回修改" sourceRef="gw_handled" targetRef="revise">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "退回修改"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_revised" sourceRef="revise" targetRef="handle" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}_collaboration">
      <bpmndi:BPMNShape id="{key}_participant_di" bpmnElement="{key}_participant" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="760" height="{pool_height}" />
      </bpmndi:BPMNShape>
{di}    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
