"""Every place a diagram can carry an expression or a script is run through the sandbox lint at deploy: an unsafe one
is refused naming the element a process owner sees (the task or event, not its inner definition)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.definitions import deploy as definitions, working_copies as drafts
from engine.errors import DeployError
from engine.models import ProcessVersion

from .diagrams import two_step

UNSAFE = "().__class__.__base__"
SCRIPT = "import os"
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
FORM = {"type": "object", "properties": {"approve": {"type": "string"}}}
ROLES = {"政协办公室": "office"}
DATA_OBJECT = '<bpmn:dataObject id="obj" name="数据"/>'


def _task(inner: str, tag: str = "scriptTask", element_id: str = "site") -> str:
    return f'<bpmn:{tag} id="{element_id}" name="检查点" {XSI}>{inner}</bpmn:{tag}>'


def _event(definition: str, tag: str = "intermediateCatchEvent") -> str:
    return f'<bpmn:{tag} id="site" name="检查点" {XSI}>{definition}</bpmn:{tag}>'


SITES = {
    "sequence flow condition": ("f_yes", two_step(condition=UNSAFE)),
    "standard loop loopCondition": ("site", two_step(extra_task=_task(
        f"<bpmn:standardLoopCharacteristics id=\"loop1\"><bpmn:loopCondition xsi:type=\"bpmn:tFormalExpression\">"
        f"{UNSAFE}</bpmn:loopCondition></bpmn:standardLoopCharacteristics><bpmn:script>x = 1</bpmn:script>"))),
    "multi-instance loopCardinality": ("site", two_step(extra_task=_task(
        f"<bpmn:multiInstanceLoopCharacteristics id=\"mi1\"><bpmn:loopCardinality>{UNSAFE}</bpmn:loopCardinality>"
        f"</bpmn:multiInstanceLoopCharacteristics><bpmn:script>x = 1</bpmn:script>"))),
    "multi-instance completionCondition": ("site", two_step(extra_task=_task(
        f"<bpmn:multiInstanceLoopCharacteristics id=\"mi1\"><bpmn:loopCardinality>3</bpmn:loopCardinality>"
        f"<bpmn:completionCondition>{UNSAFE}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>"
        f"<bpmn:script>x = 1</bpmn:script>"))),
    "conditional event condition": ("site", two_step(extra_task=_event(
        f"<bpmn:conditionalEventDefinition id=\"ced1\"><bpmn:condition xsi:type=\"bpmn:tFormalExpression\">"
        f"{UNSAFE}</bpmn:condition></bpmn:conditionalEventDefinition>"))),
    "conditional start of an event sub-process": ("site", two_step(extra_task=(
        '<bpmn:subProcess id="esp" triggeredByEvent="true">' + _event(
            f"<bpmn:conditionalEventDefinition id=\"ced2\"><bpmn:condition xsi:type=\"bpmn:tFormalExpression\">"
            f"{UNSAFE}</bpmn:condition></bpmn:conditionalEventDefinition>", tag="startEvent") + "</bpmn:subProcess>"))),
    "timer date": ("site", two_step(extra_task=_event(
        f"<bpmn:timerEventDefinition id=\"td1\"><bpmn:timeDate>{UNSAFE}</bpmn:timeDate></bpmn:timerEventDefinition>"))),
    "timer duration": ("site", two_step(extra_task=_event(
        f"<bpmn:timerEventDefinition id=\"td1\"><bpmn:timeDuration>{UNSAFE}</bpmn:timeDuration>"
        f"</bpmn:timerEventDefinition>"))),
    "timer cycle": ("site", two_step(extra_task=_event(
        f"<bpmn:timerEventDefinition id=\"td1\"><bpmn:timeCycle>{UNSAFE}</bpmn:timeCycle></bpmn:timerEventDefinition>"))),
    "message payload": ("site", two_step(extra_task=_event(
        f"<bpmn:messageEventDefinition id=\"md1\"><bpmn:extensionElements><spiffworkflow:messagePayload>{UNSAFE}"
        f"</spiffworkflow:messagePayload></bpmn:extensionElements></bpmn:messageEventDefinition>",
        tag="intermediateThrowEvent"))),
    "message correlation (SpiffWorkflow)": ("site", two_step(extra_task=_event(
        f"<bpmn:messageEventDefinition id=\"md1\"><bpmn:extensionElements><spiffworkflow:processVariableCorrelation>"
        f"<spiffworkflow:propertyId>case_id</spiffworkflow:propertyId><spiffworkflow:expression>{UNSAFE}"
        f"</spiffworkflow:expression></spiffworkflow:processVariableCorrelation></bpmn:extensionElements>"
        f"</bpmn:messageEventDefinition>"))),
    "pre-script": ("site", two_step(extra_task=_task(
        f"<bpmn:extensionElements><spiffworkflow:preScript>{SCRIPT}</spiffworkflow:preScript></bpmn:extensionElements>"
        f"<bpmn:script>x = 1</bpmn:script>"))),
    "post-script": ("site", two_step(extra_task=_task(
        f"<bpmn:extensionElements><spiffworkflow:postScript>{SCRIPT}</spiffworkflow:postScript></bpmn:extensionElements>"
        f"<bpmn:script>x = 1</bpmn:script>"))),
    "script task": ("site", two_step(extra_task=_task(f"<bpmn:script>{SCRIPT}</bpmn:script>"))),
    "data input assignment": ("site", two_step(extra_task=_task(
        f"<bpmn:dataInputAssociation id=\"dia\"><bpmn:sourceRef>obj</bpmn:sourceRef><bpmn:targetRef>obj</bpmn:targetRef>"
        f"<bpmn:assignment><bpmn:from xsi:type=\"bpmn:tFormalExpression\">"
        f"{UNSAFE}</bpmn:from><bpmn:to xsi:type=\"bpmn:tFormalExpression\">x</bpmn:to></bpmn:assignment>"
        f"</bpmn:dataInputAssociation><bpmn:script>x = 1</bpmn:script>") + DATA_OBJECT)),
    "data output transformation": ("site", two_step(extra_task=_task(
        f"<bpmn:dataOutputAssociation id=\"doa\"><bpmn:targetRef>obj</bpmn:targetRef><bpmn:transformation>"
        f"{UNSAFE}</bpmn:transformation></bpmn:dataOutputAssociation><bpmn:script>x = 1</bpmn:script>") + DATA_OBJECT)),
    "ad-hoc sub-process completion": ("site", two_step(extra_task=(
        f'<bpmn:adHocSubProcess id="site" name="检查点"><bpmn:completionCondition>{UNSAFE}</bpmn:completionCondition>'
        f'</bpmn:adHocSubProcess>'))),
    "complex gateway activation": ("site", two_step(extra_task=(
        f'<bpmn:complexGateway id="site" name="检查点"><bpmn:activationCondition>{UNSAFE}</bpmn:activationCondition>'
        f'</bpmn:complexGateway>'))),
    "candidate property": ("site", two_step(extra_task=_task(
        f"<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name=\"candidateUser\" "
        f"value=\"{UNSAFE}\"/></spiffworkflow:properties></bpmn:extensionElements><bpmn:script>x = 1</bpmn:script>"))),
}


@pytest.mark.parametrize("site", SITES)
def test_every_expression_site_is_checked_at_deploy_naming_its_element(site):
    element, xml = SITES[site]
    problems = definitions.check(xml, {"forms/proposal/review.json": FORM}, ROLES).problems
    refused = [p for p in problems if "不允许" in p.message]
    assert [p.element_id for p in refused] == [element], problems


def test_the_same_sites_with_safe_expressions_raise_no_sandbox_problem():
    for site, (_element, xml) in SITES.items():
        safe = xml.replace(UNSAFE, "1 + 1").replace(SCRIPT, "y = 2")
        problems = definitions.check(safe, {"forms/proposal/review.json": FORM}, ROLES).problems
        assert not [p for p in problems if "不允许" in p.message], (site, problems)


LOOP = ('<bpmn:standardLoopCharacteristics><bpmn:loopCondition>' + UNSAFE + '</bpmn:loopCondition>'
        '</bpmn:standardLoopCharacteristics>')


def test_a_working_copy_with_an_unsafe_loop_condition_does_not_deploy(deployed, users, both_backends):
    xml = drafts.get(deployed, "proposal").bpmn_xml
    before = deployed.scalar(select(func.count()).select_from(ProcessVersion))
    start = xml.index('<bpmn:userTask id="review"')
    end = xml.index("</bpmn:userTask>", start)
    changed = xml[:end] + LOOP + xml[end:]
    with pytest.raises(DeployError) as caught:
        drafts.deploy(deployed, "proposal", users.admin, changed)
    assert [p.element_id for p in caught.value.problems] == ["review"]
    deployed.rollback()
    assert deployed.scalar(select(func.count()).select_from(ProcessVersion)) == before
