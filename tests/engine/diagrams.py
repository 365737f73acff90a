"""Small diagrams written inline for the lint and runtime tests."""

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
"""


def two_step(condition: str = 'approve == "是"', timer: str | None = None, lane: str = "政协办公室",
             form: str = "forms/proposal/review.json", extra_task: str = "") -> str:
    """start → review (user task, in a lane) → gateway(condition) → done | other."""
    boundary = ""
    if timer is not None:
        boundary = f"""<bpmn:boundaryEvent id="t1" name="超时" attachedToRef="review" cancelActivity="false">
      <bpmn:outgoing>f_t</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="t_end"><bpmn:incoming>f_t</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_t" sourceRef="t1" targetRef="t_end"/>"""
    return HEAD + f"""  <bpmn:collaboration id="c"><bpmn:participant id="p" processRef="mini"/></bpmn:collaboration>
  <bpmn:process id="mini" name="小流程" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane_office" name="{lane}">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>other</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="审核">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="{form}"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    {boundary}
    {extra_task}
    <bpmn:exclusiveGateway id="gw" name="是否同意" default="f_no"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="done"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="other"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
    <bpmn:sequenceFlow id="f_yes" name="同意" sourceRef="gw" targetRef="done">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="other"/>
  </bpmn:process>
</bpmn:definitions>
"""
