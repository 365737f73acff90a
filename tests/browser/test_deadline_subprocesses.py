"""The single steps wrapped in a deadline sub-process (阅批, 会商, 考核通报) open in 流程设计: the wrapper is drawn
collapsed where the step was, and its inside — the step, the 催报 step, the timer — is drawn on its own plane
(drill-down), every element with a shape and none on another."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_modeler import _fresh_version_cache, login, open_modeler  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.browser

WRAPPED = {"outcome": ["county_read", "gov_read"], "inspection": ["consult_county", "consult_gov"],
           "duty_assessment": ["notify_org", "notify_uf", "notify_unit"]}

OVERLAPS = """(ids) => {
  const registry = window.xsModeler.get('elementRegistry');
  const out = [];
  for (const id of ids) {
    const wrapper = registry.get(id + '_wait');
    if (!wrapper) { out.push('missing ' + id + '_wait'); continue; }
    const inside = registry.filter(e => e.parent && e.parent.businessObject === wrapper.businessObject
                                        && !e.waypoints && e.type !== 'label' && e.type !== 'bpmn:BoundaryEvent');
    for (const need of [id, id + '_urge', id + '_due', id + '_extend', id + '_missing']) {
      if (!registry.get(need)) out.push('not drawn ' + need);
    }
    for (let i = 0; i < inside.length; i++) for (let j = i + 1; j < inside.length; j++) {
      const a = inside[i], b = inside[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
        out.push(a.id + ' overlaps ' + b.id);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("key", sorted(WRAPPED))
def test_the_deadline_sub_process_opens_drawn_and_without_overlaps(new_context, live_server, key):
    page = login(new_context, live_server, "admin")
    open_modeler(page, key)
    expect(page.locator(f'.djs-element.djs-shape[data-element-id="{WRAPPED[key][0]}_wait"]')).to_be_attached()
    assert page.evaluate(OVERLAPS, WRAPPED[key]) == []
