// The properties group for this product: who handles a step (its lane's role), its form, deadline, candidates,
// instructions and the status lists show while it is open; on a lane, the role it stands for; on a call activity,
// a catch or an end event, the status it stands for.
import { h } from '@bpmn-io/properties-panel/preact';
import {
  SelectEntry, TextAreaEntry, TextFieldEntry,
  isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { getInstructions, getProperty, laneOf, setInstructions, setProperty } from './spiff-properties';

const FIELDS = [
  ['formJsonSchemaFilename', 'Form (JSON Schema file)', 'For example forms/visit/step.json'],
  ['dueWorkingDays', 'Due in working days', null],
  ['dueDate', 'Due date expression', 'An expression giving an ISO date, e.g. add_working_days(assigned_at, 10)'],
  ['candidateUser', 'Candidate user (expression)', null],
  ['candidateUnit', 'Candidate unit (expression)', null],
  ['statusLabel', 'Status label', 'What lists show while this step is open, e.g. 待审查'],
  ['statusOrder', 'Status order', 'When several steps are open, lists show the label of the one with the highest number']
];
const STATUS_FIELDS = [
  ['statusLabel', 'Status label', 'What lists show while this step is open (at an end event: once the case ends there)'],
  ['statusOrder', 'Status order', 'When several steps are open, lists show the label of the one with the highest number'],
  ['statusPrefix', 'Status prefix', 'Put before the called process\'s status, e.g. 成果']
];
const STATUS_ELEMENTS = ['bpmn:CallActivity', 'bpmn:IntermediateCatchEvent', 'bpmn:EndEvent'];

function PropertyEntry({ element, id, name, label, description }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  return h(TextFieldEntry, {
    element, id, debounce, label: translate(label),
    description: description ? translate(description) : undefined,
    getValue: () => getProperty(element, name),
    setValue: (value) => setProperty(element, name, value, modeling, bpmnFactory)
  });
}

function InstructionsEntry({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  return h(TextAreaEntry, {
    element, id, debounce, rows: 3, label: translate('Instructions for the person who acts'),
    getValue: () => getInstructions(element),
    setValue: (value) => setInstructions(element, value, modeling, bpmnFactory)
  });
}

function LaneRoleEntry({ element, id, roles }) {
  const translate = useService('translate');
  const lane = laneOf(element);
  const name = lane ? lane.get('name') || '' : '';
  const role = roles.find((r) => r.name === name);
  return h(TextFieldEntry, {
    element, id, disabled: true, label: translate('Handled by (lane role)'), debounce: (fn) => fn,
    getValue: () => (lane ? (role ? `${role.name}（${role.key}）` : name) : translate('Not in a lane')),
    setValue: () => {}
  });
}

function RoleEntry({ element, id, roles }) {
  const modeling = useService('modeling');
  const translate = useService('translate');
  return h(SelectEntry, {
    element, id, label: translate('Role'),
    description: translate('Lane name is the role name; people holding that role handle the steps in the lane.'),
    getValue: () => getBusinessObject(element).get('name') || '',
    setValue: (value) => modeling.updateProperties(element, { name: value }),
    getOptions: () => [{ value: '', label: '' }, ...roles.map((r) => ({ value: r.name, label: `${r.name}（${r.key}）` }))]
  });
}

export default function XieshangPropertiesProvider(propertiesPanel, translate, config) {
  const roles = (config && config.roles) || [];
  this.getGroups = (element) => (groups) => {
    if (is(element, 'bpmn:UserTask') || is(element, 'bpmn:StartEvent')) {
      const entries = [];
      if (is(element, 'bpmn:UserTask')) {
        entries.push({ id: 'xs-lane', component: LaneRoleEntry, roles, isEdited: () => false });
      }
      for (const [name, label, description] of FIELDS) {
        if (is(element, 'bpmn:StartEvent') && name !== 'formJsonSchemaFilename') continue;
        entries.push({ id: `xs-${name}`, name, label, description, component: PropertyEntry, isEdited: isTextFieldEntryEdited });
      }
      entries.push({ id: 'xs-instructions', component: InstructionsEntry, isEdited: isTextAreaEntryEdited });
      groups.splice(1, 0, { id: 'xieshang', label: translate('Xieshang'), entries });
    }
    if (STATUS_ELEMENTS.some((type) => is(element, type))) {
      const entries = STATUS_FIELDS
        .filter(([name]) => name !== 'statusPrefix' || is(element, 'bpmn:CallActivity'))
        .filter(([name]) => name !== 'statusOrder' || !is(element, 'bpmn:EndEvent'))
        .map(([name, label, description]) => ({
          id: `xs-${name}`, name, label, description, component: PropertyEntry, isEdited: isTextFieldEntryEdited
        }));
      groups.splice(1, 0, { id: 'xieshang', label: translate('Xieshang'), entries });
    }
    if (is(element, 'bpmn:Lane')) {
      groups.splice(1, 0, { id: 'xieshang', label: translate('Role of the lane'),
        entries: [{ id: 'xs-role', component: RoleEntry, roles, isEdited: isSelectEntryEdited }] });
    }
    return groups;
  };
  propertiesPanel.registerProvider(400, this);
}
XieshangPropertiesProvider.$inject = ['propertiesPanel', 'translate', 'config.xieshang'];
