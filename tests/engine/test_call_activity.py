"""A process calling another deployed process: deploy order, pinned dependency, lanes and forms of the callee."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.definitions import deploy as definitions
from engine.worklist import inbox
from engine.people import directory as reference
from engine.runtime import verbs as runtime
from engine.errors import DeployError
from engine.models import Instance

from ..conftest import PROCESSES
from .diagrams import HEAD

CALLEE = HEAD + """<bpmn:process id="callee" name="被调用流程" isExecutable="true">
    <bpmn:laneSet id="ls2"><bpmn:lane id="l2" name="政协办公室">
      <bpmn:flowNodeRef>c_start</bpmn:flowNodeRef><bpmn:flowNodeRef>c_task</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>c_end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="c_start"><bpmn:outgoing>c1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="c_task" name="反馈">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/mini/feedback.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>c1</bpmn:incoming><bpmn:outgoing>c2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="c_end"><bpmn:incoming>c2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="c_task"/>
    <bpmn:sequenceFlow id="c2" sourceRef="c_task" targetRef="c_end"/>
  </bpmn:process>
</bpmn:definitions>"""

CALLER = HEAD + """<bpmn:process id="caller" name="调用方" isExecutable="true">
    <bpmn:laneSet id="ls1"><bpmn:lane id="l1" name="委员">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>call</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="call" name="成果反馈" calledElement="callee">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""

FEEDBACK = {"type": "object", "properties": {"note": {"type": "string", "title": "反馈"}}, "required": ["note"]}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "forms" / "mini").mkdir(parents=True)
    (tmp_path / "forms" / "mini" / "feedback.json").write_text(json.dumps(FEEDBACK), encoding="utf-8")
    (tmp_path / "a_caller.bpmn").write_text(CALLER, encoding="utf-8")
    (tmp_path / "b_callee.bpmn").write_text(CALLEE, encoding="utf-8")
    return tmp_path


def test_a_caller_without_its_callee_is_refused(session, folder):
    reference.load_roles(session, PROCESSES)
    with pytest.raises(DeployError) as caught:
        definitions.deploy_file(session, folder / "a_caller.bpmn")
    assert caught.value.problems[0].element_id == "call" and "callee" in caught.value.message


def test_callee_is_deployed_first_and_its_task_reaches_the_inbox(deployed, users, folder):
    session = deployed
    versions = definitions.deploy_directory(session, folder)
    assert [v.process_key for v in versions] == ["callee", "caller"]
    caller = versions[1]
    assert caller.dependencies == [versions[0].id]
    assert caller.lane_roles["政协办公室"] == "office" and "forms/mini/feedback.json" in caller.forms

    instance = runtime.start_instance(session, users.member1, "caller", {})
    session.commit()
    [task] = inbox.tasks_for(session, users.office1)
    assert (task.bpmn_id, task.role_key, task.instance_id) == ("c_task", "office", instance.id)
    runtime.complete_task(session, users.office1, task.id, {"note": "已反馈"})
    session.commit()
    assert session.scalars(select(Instance.status).where(Instance.id == instance.id)).one() == "completed"


def test_start_roles_widen_who_may_start(deployed, users, folder):
    from engine.errors import Forbidden

    xml = (folder / "a_caller.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:startEvent id="start">',
        '<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="startRoles" value="department"/></spiffworkflow:properties>'
        '</bpmn:extensionElements>')
    (folder / "a_caller.bpmn").write_text(xml, encoding="utf-8")
    definitions.deploy_directory(deployed, folder)
    assert runtime.start_instance(deployed, users.czj_clerk, "caller", {}).id  # a department, by startRoles
    assert runtime.start_instance(deployed, users.member1, "caller", {}).id  # the lane's role
    with pytest.raises(Forbidden):
        runtime.start_instance(deployed, users.tiwei, "caller", {})
    assert "caller" in {v.process_key for v in definitions.startable_processes(deployed, users.czj_clerk)}


def test_unknown_start_roles_are_refused(deployed, folder):
    xml = (folder / "a_caller.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:startEvent id="start">',
        '<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="startRoles" value="nobody"/></spiffworkflow:properties>'
        '</bpmn:extensionElements>')
    (folder / "a_caller.bpmn").write_text(xml, encoding="utf-8")
    definitions.deploy_file(deployed, folder / "b_callee.bpmn")
    with pytest.raises(DeployError) as caught:
        definitions.deploy_file(deployed, folder / "a_caller.bpmn")
    assert caught.value.problems[0].element_id == "start" and "nobody" in caught.value.message
