// The process owner's modeler page: bpmn-js Modeler with the properties panel, Chinese labels, this product's
// extension properties, a server-side working copy saved as one edits, validation that selects the element a
// problem is about, and deploy.
import Modeler from 'bpmn-js/lib/Modeler';
import { debounce } from 'min-dash';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import spiffworkflow from './spiffworkflow.json';
import translateModule from './translate';
import userTask from './user-task';
import XieshangPropertiesProvider from './provider';
import { getProperty } from './spiff-properties';

const app = document.getElementById('modeler-app');
const cfg = JSON.parse(app.dataset.config);
const say = cfg.messages;
const status = document.getElementById('modeler-status');
const problemList = document.getElementById('problems');

// The properties panel applies typed input after a pause; validate, deploy and save apply what is pending first.
const pendingInputs = new Set();
const flushableInput = {
  debounceInput: ['factory', () => (fn) => {
    const debounced = debounce(fn, 300);
    pendingInputs.add(debounced);
    return debounced;
  }]
};

function applyPendingEdits() {
  for (const debounced of pendingInputs) debounced.flush();
  clearTimeout(saveTimer);
}

const modeler = new Modeler({
  container: '#canvas',
  propertiesPanel: { parent: '#properties', layout: { groups: { general: { open: true }, xieshang: { open: true } } } },
  additionalModules: [
    BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, flushableInput, userTask, translateModule(cfg.locale),
    { __init__: ['xsPropertiesProvider'], xsPropertiesProvider: ['type', XieshangPropertiesProvider] }
  ],
  moddleExtensions: { spiffworkflow },
  xieshang: { roles: cfg.roles }
});
window.xsModeler = modeler;  // for the browser tests and for the curious

function show(text, kind) {
  status.textContent = text;
  status.dataset.kind = kind || 'info';
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': cfg.csrf, Accept: 'application/json' },
    body: JSON.stringify(body)
  });
  let data = {};
  try { data = await response.json(); } catch (err) { data = { error: say.failed }; }
  return { ok: response.ok, status: response.status, data };
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

function selectElement(id) {
  const element = modeler.get('elementRegistry').get(id);
  if (!element) return;
  modeler.get('selection').select(element);
  modeler.get('canvas').scrollToElement(element);
}

function listProblems(problems, message) {
  problemList.replaceChildren();
  problemList.dataset.count = String(problems.length);
  const heading = document.getElementById('problems-summary');
  heading.textContent = message;
  for (const problem of problems) {
    const item = document.createElement('li');
    if (problem.element_id && modeler.get('elementRegistry').get(problem.element_id)) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link problem';
      button.dataset.elementId = problem.element_id;
      button.textContent = problem.message;
      button.addEventListener('click', () => selectElement(problem.element_id));
      item.append(button);
    } else {
      item.textContent = problem.message;
    }
    problemList.append(item);
  }
}

let saveTimer = null;
let saving = Promise.resolve();

function save() {
  applyPendingEdits();
  saving = saving.then(async () => {
    const result = await post(cfg.urls.save, { xml: await currentXml() });
    show(result.ok ? result.data.message : (result.data.error || say.failed), result.ok ? 'ok' : 'error');
    app.dataset.saved = result.ok ? 'true' : 'false';
  });
  return saving;
}

async function validate() {
  applyPendingEdits();
  await saving;
  show(say.validating);
  const result = await post(cfg.urls.validate, { xml: await currentXml() });
  if (!result.ok) { show(result.data.error || say.failed, 'error'); return; }
  listProblems(result.data.problems, result.data.message);
  listFixes(result.data.fixes || []);
  show(result.data.message, result.data.problems.length ? 'error' : 'ok');
}

// Fix-ups the server offers for a diagram drawn elsewhere: a checkbox each, a role picker per lane to rename.
const fixBox = document.getElementById('fixes');
const fixList = document.getElementById('fix-list');

function roleSelect(id, label, name) {
  const wrap = document.createElement('label');
  wrap.className = 'fix-role';
  wrap.append(label, ' ');
  const select = document.createElement('select');
  select.name = name;
  select.dataset.lane = id || '';
  for (const role of cfg.roles) {
    const option = document.createElement('option');
    option.value = role.name;
    option.textContent = role.name;
    select.append(option);
  }
  const office = cfg.roles.find((role) => role.key === 'office');
  if (office) select.value = office.name;
  wrap.append(select);
  return wrap;
}

function listFixes(fixes) {
  fixList.replaceChildren();
  fixBox.hidden = fixes.length === 0;
  fixList.dataset.count = String(fixes.length);
  fixes.forEach((fix, index) => {
    const item = document.createElement('li');
    item.dataset.kind = fix.kind;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.id = `fix-${index}`;
    box.value = fix.kind;
    const label = document.createElement('label');
    label.htmlFor = box.id;
    label.textContent = fix.message;
    item.append(box, ' ', label);
    for (const lane of fix.lanes || []) {
      const name = lane.name || `${say.unnamedLane}（${lane.id}）`;
      item.append(roleSelect(lane.id, say.laneRole.replace('%(name)s', name), 'lane-role'));
    }
    if (fix.kind === 'add_lane') item.append(roleSelect('', say.newLaneRole, 'new-lane-role'));
    fixList.append(item);
  });
}

async function applyFixes() {
  applyPendingEdits();
  await saving;
  const kinds = [...fixList.querySelectorAll('input[type=checkbox]:checked')].map((box) => box.value);
  const lanes = {};
  for (const select of fixList.querySelectorAll('select[name=lane-role]')) lanes[select.dataset.lane] = select.value;
  const role = fixList.querySelector('select[name=new-lane-role]')?.value || null;
  show(say.applying);
  const result = await post(cfg.urls.fixups, { xml: await currentXml(), kinds, lanes, role });
  if (!result.ok) { show(result.data.error || say.failed, 'error'); return; }
  await modeler.importXML(result.data.xml);
  modeler.get('canvas').zoom('fit-viewport');
  app.dataset.saved = 'true';
  listFixes([]);
  await validate();
}

async function deploy() {
  applyPendingEdits();
  await saving;
  show(say.deploying);
  const result = await post(cfg.urls.deploy, { xml: await currentXml() });
  if (result.data.problems) listProblems(result.data.problems, result.data.error);
  else listProblems([], '');
  show(result.ok ? result.data.message : (result.data.error || say.failed), result.ok ? 'ok' : 'error');
  if (result.ok) app.dataset.deployed = String(result.data.version);
}

async function download() {
  applyPendingEdits();
  const blob = new Blob([await currentXml()], { type: 'application/xml' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${cfg.key}.bpmn`;
  link.click();
  URL.revokeObjectURL(link.href);
}

function showSelection(elements) {
  const box = document.getElementById('selection-form');
  const path = elements.length === 1 ? getProperty(elements[0], 'formJsonSchemaFilename') : '';
  box.hidden = !path;
  if (path) {
    const link = box.querySelector('a');
    link.href = `${cfg.urls.formEdit}?path=${encodeURIComponent(path)}`;
    link.querySelector('span').textContent = path;
  }
}

document.getElementById('btn-save').addEventListener('click', save);
document.getElementById('btn-validate').addEventListener('click', validate);
document.getElementById('btn-deploy').addEventListener('click', deploy);
document.getElementById('btn-download').addEventListener('click', download);
document.getElementById('btn-fix').addEventListener('click', applyFixes);
document.querySelector('#selection-form a').addEventListener('click', async (event) => {
  event.preventDefault();
  const target = event.currentTarget.href;
  await save();
  window.location.href = target;
});

// bpmn-js's import warnings, each said in Chinese and naming the element by its name where it has one.
const NOTES = [
  [/^unparsable content (\S*) ?detected[\s\S]*?line: (\d+)[\s\S]*?column: (\d+)/, 'unparsable', (m) => ({ what: m[1], line: m[2], column: m[3] })],
  [/^unresolved reference <(.+)>/, 'unresolved', (m) => ({ what: m[1] })],
  [/^unknown attribute <(.+)>/, 'attribute', (m) => ({ what: m[1] })],
  [/^multiple DI elements defined for <\S+ id="([^"]+)"/, 'multipleDi', (m) => ({ id: m[1] })],
  [/^no bpmnElement referenced in <\S+(?: id="([^"]+)")?/, 'noElement', (m) => ({ what: m[1] || '' })],
  [/^element <\S+ id="([^"]+)" \/> referenced by/, 'notDrawn', (m) => ({ id: m[1] })],
  [/^unknown di <[^>]*> for element <\S+ id="([^"]+)"/, 'unknownDi', (m) => ({ id: m[1] })],
  [/^missing <\S+ id="([^"]+)" \/>#attachedToRef/, 'attached', (m) => ({ id: m[1] })],
  [/^correcting missing bpmnElement/, 'plane', () => ({})],
  [/^unrecognized flowElement <\S+ id="([^"]+)"/, 'unrecognized', (m) => ({ id: m[1] })],
  [/^<\S+ id="([^"]+)" \/>#\w+ Ref not specified/, 'noRef', (m) => ({ id: m[1] })]
];

function named(id, warning) {
  const element = modeler.get('elementRegistry').get(id);
  const name = (element && element.businessObject.name) || (warning.element && warning.element.id === id && warning.element.name);
  return name ? `“${name.replace(/\s+/g, ' ').trim()}”` : ` ${id} `;
}

function noteText(warning) {
  const text = String(warning.message || '');
  for (const [pattern, key, pick] of NOTES) {
    const match = text.match(pattern);
    if (!match) continue;
    const values = pick(match);
    if (values.id) values.what = named(values.id, warning);
    return cfg.importNotes[key].replace(/%\((\w+)\)s/g, (_m, name) => values[name] ?? '');
  }
  return cfg.importNotes.other.replace('%(what)s', text.split('\n')[0]);
}

function listWarnings(warnings) {
  const box = document.getElementById('import-warnings');
  const list = document.getElementById('warning-list');
  list.replaceChildren();
  const seen = new Set();
  for (const warning of warnings) {
    const text = noteText(warning);
    if (seen.has(text)) continue;
    seen.add(text);
    const item = document.createElement('li');
    item.textContent = text;
    list.append(item);
  }
  box.hidden = seen.size === 0;
}

async function open() {
  const response = await fetch(cfg.urls.xml, { credentials: 'same-origin' });
  try {
    const { warnings } = await modeler.importXML(await response.text());
    const canvas = modeler.get('canvas');
    canvas.zoom('fit-viewport');
    const palette = document.querySelector('.djs-palette');
    const { inner } = canvas.viewbox();
    const size = canvas.getSize();
    if (palette && inner.width > 0 && size.width > 200) {  // keep the palette off the diagram's left edge
      const room = palette.getBoundingClientRect().width + 24;
      const pad = room * inner.width / Math.max(size.width - room, 100);
      canvas.viewbox({ x: inner.x - pad, y: inner.y - 20, width: inner.width + pad + 20, height: inner.height + 40 });
    }
    app.dataset.warnings = String(warnings.length);
    listWarnings(warnings);
    show(warnings.length ? `${say.opened} ${say.warnings.replace('%(n)s', warnings.length)}` : say.opened, 'ok');
    app.dataset.ready = 'true';
  } catch (err) {
    app.dataset.ready = 'error';
    show(`${say.importFailed} ${err.message}`, 'error');
    return;
  }
  modeler.on('selection.changed', ({ newSelection }) => showSelection(newSelection));
  modeler.on('commandStack.changed', () => {
    showSelection(modeler.get('selection').get());
    app.dataset.saved = 'false';
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 800);
  });
}

open();
