// Widgets that speak the page's language, on top of server-rendered inputs that work without them:
// - select[data-picker]: a searchable (multi-)select (Tom Select) — type characters, a code or pinyin initials
//   (the server puts them in each option's data-pinyin); touch and keyboard work as in any Tom Select
// - input[data-datepicker]: a calendar (air-datepicker) in Chinese or English, the value stays YYYY-MM-DD
// - .file-pick: a file input whose button and "no file" text are the page's own (the browser's are in its language)
// New rows of a repeated group call window.xieshangWidgets(row) (web/static/js/forms.js).
import TomSelect from 'tom-select/base';
import removeButton from 'tom-select/plugins/remove_button/plugin.js';
import AirDatepicker from 'air-datepicker';
import localeZh from 'air-datepicker/locale/zh';
import localeEn from 'air-datepicker/locale/en';
import 'tom-select/dist/css/tom-select.default.css';
import 'air-datepicker/air-datepicker.css';

TomSelect.define('remove_button', removeButton);

const english = (document.documentElement.lang || '').toLowerCase().startsWith('en');

function picker(select) {
  if (select.tomselect) return;
  const multiple = select.multiple;
  // the field's name, read before Tom Select points the <label> at its own input
  const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
  const name = label ? label.textContent.replace(/\s+/g, ' ').trim() : select.getAttribute('aria-label');
  const instance = new TomSelect(select, {
    searchField: ['text', 'pinyin', 'value'],
    plugins: multiple ? { remove_button: { title: select.dataset.removeLabel || '' } } : [],
    maxOptions: null,
    hideSelected: multiple,
    closeAfterSelect: !multiple,
    allowEmptyOption: !multiple,
    render: {
      no_results: () => {
        const div = document.createElement('div');
        div.className = 'no-results';
        div.textContent = select.dataset.noResults || '';
        return div;
      },
    },
  });
  // the control's own input carries the field's label for screen readers and axe
  if (name && instance.control_input) instance.control_input.setAttribute('aria-label', name);
  // the list of options is named by a title, so that the field's label names one element (the combobox)
  const listbox = instance.dropdown_content;
  listbox.removeAttribute('aria-labelledby');
  if (name) listbox.setAttribute('title', name);
  // the select Tom Select keeps in sync stays in the form but out of the accessibility tree (and out of tab order)
  select.setAttribute('aria-hidden', 'true');
  const help = select.parentNode.querySelector('.ctrl-help');
  if (help) help.remove();  // typing and tapping replace Ctrl-click
}

function datepicker(input) {
  if (input.dataset.datepickerReady) return;
  input.dataset.datepickerReady = '1';
  const day = (text) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
  };
  const value = day(input.value);
  const picker = new AirDatepicker(input, {
    locale: english ? localeEn : localeZh,
    dateFormat: 'yyyy-MM-dd',
    selectedDates: value ? [value] : [],
    autoClose: true,
    buttons: ['today', 'clear'],
    isMobile: window.matchMedia('(max-width: 720px)').matches,
    onSelect: () => input.dispatchEvent(new Event('change', { bubbles: true })),
  });
  // a date typed in full is taken as it is and the calendar gets out of the way of the next field
  input.addEventListener('input', () => {
    const typed = day(input.value);
    if (!typed) return;
    picker.selectDate(typed, { silent: true });
    picker.setViewDate(typed);
    picker.hide();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Tab' || event.key === 'Escape' || event.key === 'Enter') picker.hide();
  });
}

function filePick(wrapper) {
  const input = wrapper.querySelector('input[type=file]');
  const name = wrapper.querySelector('.file-name');
  if (!input || !name || input.dataset.filePickReady) return;
  input.dataset.filePickReady = '1';
  const empty = name.textContent;
  input.addEventListener('change', () => {
    name.textContent = input.files.length ? Array.from(input.files).map((f) => f.name).join('、') : empty;
  });
}

function widgets(root) {
  root.querySelectorAll('select[data-picker]').forEach(picker);
  root.querySelectorAll('input[data-datepicker]').forEach(datepicker);
  root.querySelectorAll('.file-pick').forEach(filePick);
}

window.xieshangWidgets = widgets;
widgets(document);
