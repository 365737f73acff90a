// The form builder: fields added, ordered and removed with buttons, each with a kind, label, help text, required and
// choices; the JSON Schema it makes is the advanced view (and may be edited there); the server draws the preview with
// the inbox's own renderer and says what is wrong in Chinese, naming the field.
const form = document.getElementById('form-editor');
const text = document.getElementById('schema-text');
const slot = document.getElementById('preview-slot');
const root = document.getElementById('builder');
const list = document.getElementById('fb-fields');
const kinds = JSON.parse(root.dataset.kinds);
const say = JSON.parse(root.dataset.texts);
const TEXT_LIMIT = 200;
const LONG_TEXT_LIMIT = 5000;
let schema = {};
let timer = null;
let asked = 0;

async function refresh() {
  const mine = ++asked;
  const body = new FormData();
  body.set('schema', text.value);
  body.set('csrf_token', form.querySelector('[name=csrf_token]').value);
  const response = await fetch(form.dataset.preview, {
    method: 'POST', body, credentials: 'same-origin', headers: { 'X-CSRFToken': body.get('csrf_token') }
  });
  if (mine === asked) slot.innerHTML = await response.text();
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 300);
}

// ---- schema ↔ kinds ---------------------------------------------------------------------------------------------
function kindOf(prop) {
  if (prop.type === 'array') return prop.items && prop.items.type === 'object' ? 'group' : 'choices';
  if (['file', 'unit', 'member'].includes(prop['x-widget'])) return prop['x-widget'];
  if (prop.oneOf || prop.enum) return 'choice';
  if (prop.type === 'number' || prop.type === 'integer') return 'number';
  if (prop.format === 'date') return 'date';
  return prop['x-widget'] === 'textarea' ? 'textarea' : 'text';
}

function choicesOf(prop) {
  const source = prop.type === 'array' ? (prop.items || {}) : prop;
  if (Array.isArray(source.oneOf)) return source.oneOf.map((c) => String(c.const ?? c.title ?? ''));
  if (Array.isArray(source.enum)) return source.enum.map(String);
  return [];
}

const TYPED = ['type', 'format', 'x-widget', 'oneOf', 'enum', 'items', 'maxLength', 'uniqueItems', 'minimum',
  'maximum', 'anyOf', 'const'];

function withKind(prop, kind, choices) {
  const made = { ...prop };
  for (const key of TYPED) delete made[key];
  const options = (choices || []).filter((c) => c.trim()).map((c) => ({ const: c.trim(), title: c.trim() }));
  switch (kind) {
    case 'textarea': Object.assign(made, { type: 'string', 'x-widget': 'textarea',
      maxLength: (prop['x-widget'] === 'textarea' && prop.maxLength) || LONG_TEXT_LIMIT }); break;
    case 'number': made.type = 'number'; break;
    case 'date': Object.assign(made, { type: 'string', format: 'date' }); break;
    case 'choice': Object.assign(made, { type: 'string', oneOf: options }); break;
    case 'choices': Object.assign(made, { type: 'array', items: { type: 'string', oneOf: options }, uniqueItems: true }); break;
    case 'unit': case 'member': Object.assign(made, { type: 'string', 'x-widget': kind }); break;
    case 'file': Object.assign(made, { type: 'integer', 'x-widget': 'file' }); break;
    case 'group': Object.assign(made, { type: 'array', items: prop.items && prop.items.type === 'object' ? prop.items
      : { type: 'object', properties: {}, required: [] } }); break;
    default: Object.assign(made, { type: 'string',
      maxLength: (kindOf(prop) === 'text' && prop.maxLength) || TEXT_LIMIT });
  }
  return made;
}

function freeKey(owner) {
  let n = Object.keys(owner.properties || {}).length + 1;
  while ((owner.properties || {})[`field_${n}`]) n += 1;
  return `field_${n}`;
}

// ---- drawing ------------------------------------------------------------------------------------------------------
let uid = 0;

function input(labelText, value, onChange, attrs = {}) {
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const id = `fb-${++uid}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = labelText;
  const box = document.createElement(attrs.multiline ? 'textarea' : 'input');
  box.id = id;
  box.value = value ?? '';
  for (const [k, v] of Object.entries(attrs)) if (k !== 'multiline' && k !== 'help') box.setAttribute(k, v);
  box.addEventListener('input', () => onChange(box.value));
  box.addEventListener('change', () => onChange(box.value, true));
  wrap.append(label, box);
  if (attrs.help) {
    const help = document.createElement('small');
    help.className = 'help';
    help.textContent = attrs.help;
    wrap.append(help);
  }
  return wrap;
}

function button(textContent, onClick, className = 'link') {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = textContent;
  b.addEventListener('click', onClick);
  return b;
}

function fieldCard(owner, key, index, keys, nested) {
  const prop = owner.properties[key];
  const item = document.createElement('li');
  item.className = 'fb-field';
  item.dataset.key = key;
  const set = document.createElement('fieldset');
  const legend = document.createElement('legend');
  legend.textContent = `${say.field} ${index + 1}：${prop.title || key}`;
  set.append(legend);
  set.append(input(say.label, prop.title, (v) => { prop.title = v; legend.textContent = `${say.field} ${index + 1}：${v || key}`; changed(); }));
  set.append(input(say.key, key, (v, done) => { if (done) rename(owner, key, v.trim()); },
    { pattern: '[A-Za-z][A-Za-z0-9_]*', help: say.keyHelp }));
  const kindWrap = document.createElement('div');
  kindWrap.className = 'field';
  const kindId = `fb-${++uid}`;
  const kindLabel = document.createElement('label');
  kindLabel.htmlFor = kindId;
  kindLabel.textContent = say.kind;
  const select = document.createElement('select');
  select.id = kindId;
  for (const [value, label] of kinds) {
    if (nested && (value === 'group' || value === 'file')) continue;
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    select.append(option);
  }
  const kind = kindOf(prop);
  select.value = kind;
  select.addEventListener('change', () => {
    owner.properties[key] = withKind(prop, select.value, choicesOf(prop));
    changed();
    draw();
  });
  kindWrap.append(kindLabel, select);
  set.append(kindWrap);
  set.append(input(say.help, prop.description, (v) => { if (v) prop.description = v; else delete prop.description; changed(); }));
  const req = document.createElement('label');
  req.className = 'checkbox';
  const box = document.createElement('input');
  box.type = 'checkbox';
  owner.required = owner.required || [];
  box.checked = owner.required.includes(key);
  box.addEventListener('change', () => {
    owner.required = owner.required.filter((k) => k !== key);
    if (box.checked) owner.required.push(key);
    changed();
  });
  req.append(box, ` ${say.required}`);
  set.append(req);
  if (kind === 'choice' || kind === 'choices') {
    set.append(input(say.choices, choicesOf(prop).join('\n'), (v) => {
      owner.properties[key] = withKind(owner.properties[key], kind, v.split('\n'));
      changed();
    }, { multiline: true, rows: 4 }));
  }
  if (kind === 'group') {
    const cells = document.createElement('div');
    cells.className = 'fb-cells';
    const heading = document.createElement('p');
    heading.textContent = say.cells;
    const inner = document.createElement('ol');
    inner.className = 'fb-fields';
    drawList(prop.items, inner, true);
    cells.append(heading, inner, button(say.addCell, () => { add(prop.items, true); }, ''));
    set.append(cells);
  }
  const actions = document.createElement('div');
  actions.className = 'fb-actions';
  if (index > 0) actions.append(button(say.up, () => move(owner, index, -1)));
  if (index < keys.length - 1) actions.append(button(say.down, () => move(owner, index, 1)));
  actions.append(button(say.remove, () => remove(owner, key)));
  set.append(actions);
  item.append(set);
  return item;
}

function drawList(owner, target, nested) {
  target.replaceChildren();
  owner.properties = owner.properties || {};
  const keys = Object.keys(owner.properties);
  keys.forEach((key, index) => {
    if (owner.properties[key] && typeof owner.properties[key] === 'object') {
      target.append(fieldCard(owner, key, index, keys, nested));
    }
  });
}

function draw() {
  drawList(schema, list, false);
  for (const input of root.querySelectorAll('[data-form]')) input.value = schema[input.dataset.form] || '';
  const shown = new Set(schema['x-readonly-from'] || []);
  for (const box of root.querySelectorAll('input[name=fb-readonly]')) box.checked = shown.has(box.value);
}

// ---- edits --------------------------------------------------------------------------------------------------------
function reorder(owner, keys) {
  const props = {};
  for (const key of keys) props[key] = owner.properties[key];
  owner.properties = props;
}

function move(owner, index, step) {
  const keys = Object.keys(owner.properties);
  [keys[index], keys[index + step]] = [keys[index + step], keys[index]];
  reorder(owner, keys);
  changed();
  draw();
}

function remove(owner, key) {
  delete owner.properties[key];
  owner.required = (owner.required || []).filter((k) => k !== key);
  changed();
  draw();
}

function rename(owner, key, name) {
  if (!name || name === key || owner.properties[name]) return;
  const keys = Object.keys(owner.properties).map((k) => (k === key ? name : k));
  owner.properties[name] = owner.properties[key];
  delete owner.properties[key];
  reorder(owner, keys);
  owner.required = (owner.required || []).map((k) => (k === key ? name : k));
  changed();
  draw();
}

function add(owner, nested) {
  owner.properties = owner.properties || {};
  const key = freeKey(owner);
  owner.properties[key] = { title: say.newField, type: 'string', maxLength: TEXT_LIMIT };
  changed();
  draw();
  const cards = (nested ? root : list).querySelectorAll(`li[data-key="${key}"] input`);
  if (cards.length) cards[0].select();
}

function changed() {
  if (!schema.type) schema.type = 'object';
  text.value = JSON.stringify(schema, null, 2);
  later();
}

// ---- wiring -------------------------------------------------------------------------------------------------------
function load() {
  try {
    const parsed = JSON.parse(text.value || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      schema = parsed;
      draw();
    }
  } catch (err) { /* the advanced view is being edited: the server says what is wrong */ }
}

document.getElementById('fb-add').addEventListener('click', () => add(schema, false));
for (const box of root.querySelectorAll('[data-form]')) {
  box.addEventListener('input', () => {
    if (box.value) schema[box.dataset.form] = box.value; else delete schema[box.dataset.form];
    changed();
  });
}
for (const box of root.querySelectorAll('input[name=fb-readonly]')) {
  box.addEventListener('change', () => {
    schema['x-readonly-from'] = [...root.querySelectorAll('input[name=fb-readonly]:checked')].map((b) => b.value);
    changed();
  });
}
text.addEventListener('input', () => { load(); later(); });
load();
