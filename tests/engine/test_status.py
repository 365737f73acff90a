"""engine.status: the label of the furthest open step (by statusOrder), through call activities, and of the end."""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.runtime import status

from .diagrams import HEAD


def _props(label=None, order=None, prefix=None) -> str:
    items = [(status.LABEL, label), (status.ORDER, order), (status.PREFIX, prefix)]
    inner = "".join(f'<spiffworkflow:property name="{n}" value="{v}"/>' for n, v in items if v is not None)
    return f"<bpmn:extensionElements><spiffworkflow:properties>{inner}</spiffworkflow:properties></bpmn:extensionElements>"


DIAGRAM = HEAD + f"""<bpmn:process id="main" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing><bpmn:outgoing>fc</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="a" name="甲步">{_props("甲", 1)}<bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>ga</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="b" name="乙步">{_props("乙", 2)}<bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>gb</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="c" name="无名步"><bpmn:incoming>fc</bpmn:incoming><bpmn:outgoing>gc</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>ga</bpmn:incoming><bpmn:incoming>gb</bpmn:incoming>
      <bpmn:incoming>gc</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:callActivity id="call" name="调用" calledElement="callee">{_props(order=3, prefix="成果")}
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end">{_props("已完成")}<bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:sequenceFlow id="fa" sourceRef="split" targetRef="a"/>
    <bpmn:sequenceFlow id="fb" sourceRef="split" targetRef="b"/>
    <bpmn:sequenceFlow id="fc" sourceRef="split" targetRef="c"/>
    <bpmn:sequenceFlow id="ga" sourceRef="a" targetRef="join"/>
    <bpmn:sequenceFlow id="gb" sourceRef="b" targetRef="join"/>
    <bpmn:sequenceFlow id="gc" sourceRef="c" targetRef="join"/>
    <bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="call"/>
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="end"/>
  </bpmn:process>
  <bpmn:process id="callee" isExecutable="true">
    <bpmn:startEvent id="c_start"><bpmn:outgoing>c1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="c_task" name="反馈">{_props("反馈中", 1)}<bpmn:incoming>c1</bpmn:incoming>
      <bpmn:outgoing>c2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="c_end"><bpmn:incoming>c2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="c_task"/>
    <bpmn:sequenceFlow id="c2" sourceRef="c_task" targetRef="c_end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _workflow() -> BpmnWorkflow:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(DIAGRAM.encode("utf-8"))
    workflow = BpmnWorkflow(parser.get_spec("main"), parser.get_subprocess_specs("main"))
    workflow.do_engine_steps()
    return workflow


def _run(workflow: BpmnWorkflow, bpmn_id: str) -> None:
    [task] = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]
    task.run()
    workflow.do_engine_steps()


def test_the_furthest_labelled_open_step_wins_then_the_called_diagram_then_the_end():
    workflow = _workflow()
    assert status.of(workflow) == "乙"  # 甲 (order 1), 乙 (order 2) and an unlabelled step are open
    _run(workflow, "b")
    assert status.of(workflow) == "甲"
    _run(workflow, "a")
    assert status.of(workflow, open_default="进行中") == "进行中"  # only the unlabelled step is open
    _run(workflow, "c")
    assert status.of(workflow) == "成果反馈中"  # the call activity's prefix before the called diagram's label
    _run(workflow, "c_task")
    assert workflow.is_completed() and status.of(workflow) == "已完成"
