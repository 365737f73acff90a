"""P7 界别协商: a sector consultation meeting or a research activity, the outcome through P9, and its conversion."""
from __future__ import annotations

import pytest

from engine import clock

from .consultation_flow import DRAFT, MATERIAL, NOTICE, RECORD, RESEARCH, START, ConsultationFlow

SECTOR = {"title": "关于发展设施农业的界别协商", "sector_group": "东风镇委员联络组", "activity_kind": "界别协商会",
          "topic_source": "政协提出", "planned_date": "2026-06-10", "material_units": ["nmj"]}
CONVERSION = {"converted_proposals": 2, "converted_speeches": 1, "converted_sqmy": 3, "conversion_note": "形成提案两件。"}


@pytest.fixture
def flow(deployed, users, both_backends):
    clock.set_now(START)
    return ConsultationFlow(deployed, users)


def test_sector_meeting_outcome_and_its_conversion(flow):
    instance = flow.start("jiebie", "sector", SECTOR)
    record = flow.consultation(instance)
    assert (record.form, record.sector_group, record.lead_committee) == ("界别协商", "东风镇委员联络组", None)
    flow.do("jiebie", instance, "notice", NOTICE)
    flow.do("nmj_clerk", instance, "provide_materials", MATERIAL)
    assert flow.open_ids(instance) == ["record"]
    flow.do("jiebie", instance, "record", RECORD)
    flow.do("jiebie", instance, "draft", {**DRAFT, "outcome_kind": "政协信息"})
    flow.do("zhuxi", instance, "approve", {"approval": "退回修改", "approval_comment": "请补充典型案例。"})
    flow.do("jiebie", instance, "draft", {**DRAFT, "outcome_kind": "政协信息"})
    flow.do("zhuxi", instance, "approve", {"approval": "同意报送"})
    flow.outcome_path(instance, county=False, gov=True, gov_instruction="请农牧局研究。", gov_impl=("nmj",))
    assert flow.open_ids(instance) == ["conversion"]
    assert flow.consultation(instance).status == "成果转化登记"
    assert flow.data(instance)["outcome_result"]["sent_to"] == ["县政府办公室"]
    flow.do("jiebie", instance, "conversion", CONVERSION)
    assert flow.status(instance) == "completed"
    record = flow.consultation(instance)
    assert (record.converted_proposals, record.converted_speeches, record.converted_sqmy) == (2, 1, 3)
    assert [m.kind for m in flow.meetings(instance)] == ["会议"]
    assert flow.outcomes(instance)[0].source.startswith("界别协商（东风镇委员联络组）")


def test_sector_research_activity(flow):
    instance = flow.start("jiebie", "sector", {**SECTOR, "activity_kind": "专题调研", "material_units": []})
    flow.do("jiebie", instance, "notice", NOTICE)
    assert flow.open_ids(instance) == ["research"]
    flow.do("jiebie", instance, "research", RESEARCH)
    flow.do("jiebie", instance, "draft", {**DRAFT, "outcome_kind": "调研视察报告"})
    flow.do("zhuxi", instance, "approve", {"approval": "同意报送"})
    flow.outcome_path(instance, county_instruction=None, feedback=True)
    flow.do("jiebie", instance, "conversion", {"converted_proposals": 0, "converted_speeches": 0, "converted_sqmy": 1})
    assert flow.status(instance) == "completed"
    assert [m.kind for m in flow.meetings(instance)] == ["调研"]
