// Widgets on top of server-rendered inputs that work without them:
// - select[data-picker]: a searchable (multi-)select (Tom Select) — type characters, a code or pinyin initials
//   (the server puts them in each option's data-pinyin); touch and keyboard work as in any Tom Select
// New rows of a repeated group call window.xieshangWidgets(row) (web/static/js/forms.js).
import TomSelect from 'tom-select/base';
import removeButton from 'tom-select/plugins/remove_button/plugin.js';
import 'tom-select/dist/css/tom-select.default.css';

TomSelect.define('remove_button', removeButton);

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
  if (name) select.setAttribute('title', name);  // the hidden select Tom Select keeps in sync, named the same way
  const help = select.parentNode.querySelector('.ctrl-help');
  if (help) help.remove();  // typing and tapping replace Ctrl-click
}

function widgets(root) {
  root.querySelectorAll('select[data-picker]').forEach(picker);
}

window.xieshangWidgets = widgets;
widgets(document);
