"""The saved workflow state: the parsed diagram is not in it, it is reattached from the instance's version."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.definitions import deploy as definitions
from engine.runtime import state
from engine.models import Instance

from .flow import Flow


@pytest.fixture
def flow(deployed, users, both_backends):
    return Flow(deployed, users)


def _saved(flow: Flow, instance: Instance) -> str:
    flow.session.expire_all()
    return flow.session.scalar(select(Instance.state).where(Instance.id == instance.id))


def test_the_saved_state_names_its_diagram_instead_of_embedding_it(flow):
    instance = flow.submit()
    saved = json.loads(_saved(flow, instance))
    assert saved["spec_ref"] == "proposal"
    assert "spec" not in saved and "subprocess_specs" not in saved
    full = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    version = definitions.latest_version(flow.session, "proposal")
    workflow = state.load(_saved(flow, instance), definitions.specs(flow.session, version))
    assert len(_saved(flow, instance)) * 3 < len(full.serialize_json(workflow))


def test_a_state_saved_with_its_diagram_still_loads_and_runs_on(flow):
    """Instances saved before the state was slimmed carry the whole spec; they go on and are saved slim."""
    instance = flow.submit()
    version = definitions.latest_version(flow.session, "proposal")
    workflow = state.load(_saved(flow, instance), definitions.specs(flow.session, version))
    full = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG)).serialize_json(workflow)
    flow.session.execute(update(Instance).where(Instance.id == instance.id).values(state=full))
    flow.session.commit()
    assert "spec" in json.loads(_saved(flow, instance))
    flow.do("tiwei", instance, "review", {"decision": "立案"})
    assert flow.open_ids(instance) == ["assign"]
    assert "spec" not in json.loads(_saved(flow, instance))


def test_a_state_is_refused_with_another_diagrams_spec(flow):
    instance = flow.submit()
    other = definitions.specs(flow.session, definitions.latest_version(flow.session, "sheqing"))
    with pytest.raises(ValueError, match="与所给流程版本"):
        state.load(_saved(flow, instance), other)
