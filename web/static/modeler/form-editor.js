// Live preview for the form editor: the server draws the form with the inbox's own renderer as one types.
const form = document.getElementById('form-editor');
const text = document.getElementById('schema-text');
const slot = document.getElementById('preview-slot');
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

text.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(refresh, 400);
});
