// Read and write this product's extension properties in the spiffworkflow namespace, as processes/*.bpmn has them:
// <bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name= value=/>…</spiffworkflow:properties>
// <spiffworkflow:instructionsForEndUser>…</spiffworkflow:instructionsForEndUser></bpmn:extensionElements>
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

function extensionValues(element) {
  const ext = getBusinessObject(element).get('extensionElements');
  return ext ? ext.get('values') : [];
}

function propertiesOf(element) {
  return extensionValues(element).find((v) => is(v, 'spiffworkflow:Properties'));
}

export function getProperty(element, name) {
  const props = propertiesOf(element);
  const prop = props && props.get('properties').find((p) => p.get('name') === name);
  return prop ? prop.get('value') || '' : '';
}

function ensureExtensions(element, modeling, bpmnFactory) {
  const bo = getBusinessObject(element);
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  return ext;
}

export function setProperty(element, name, value, modeling, bpmnFactory) {
  value = (value || '').trim();
  let props = propertiesOf(element);
  if (!props && !value) return;
  if (!props) {
    const ext = ensureExtensions(element, modeling, bpmnFactory);
    props = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), props] });
  }
  const list = props.get('properties');
  const prop = list.find((p) => p.get('name') === name);
  if (!value) {
    if (prop) modeling.updateModdleProperties(element, props, { properties: list.filter((p) => p !== prop) });
  } else if (prop) {
    modeling.updateModdleProperties(element, prop, { value });
  } else {
    const created = bpmnFactory.create('spiffworkflow:Property', { name, value });
    created.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: [...list, created] });
  }
}

export function getInstructions(element) {
  const node = extensionValues(element).find((v) => is(v, 'spiffworkflow:InstructionsForEndUser'));
  return node ? node.get('text') || '' : '';
}

export function setInstructions(element, text, modeling, bpmnFactory) {
  text = (text || '').trim();
  const existing = extensionValues(element).find((v) => is(v, 'spiffworkflow:InstructionsForEndUser'));
  if (existing) {
    const ext = getBusinessObject(element).get('extensionElements');
    if (text) modeling.updateModdleProperties(element, existing, { text });
    else modeling.updateModdleProperties(element, ext, { values: ext.get('values').filter((v) => v !== existing) });
    return;
  }
  if (!text) return;
  const ext = ensureExtensions(element, modeling, bpmnFactory);
  const node = bpmnFactory.create('spiffworkflow:InstructionsForEndUser', { text });
  node.$parent = ext;
  modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), node] });
}

export function laneOf(element) {
  const lanes = getBusinessObject(element).get('lanes') || [];  // bpmn-js keeps these from flowNodeRef
  return lanes.length ? lanes[lanes.length - 1] : null;
}
