// Small DOM helpers. Text always goes in as text nodes, never as HTML, so data cannot inject markup.

/** h('a', { href: '#/x', class: 'c' }, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = tag === 'svg' || attrs.svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'svg' || value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function s(tag, attrs = {}, ...children) {
  return h(tag, { ...attrs, svg: true }, ...children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export function table(caption, headers, rows, attrs = {}) {
  return h('table', attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

/**
 * Brings a table body to `rows` in place, rows matched by `key`: a row that renders the same
 * stays the same node (so focus and a pending click on it survive a refresh), a changed cell is
 * swapped alone, and rows that are gone are removed.
 */
export function patchRows(tbody, rows, key) {
  const old = new Map([...tbody.rows].map((row) => [key(row), row]));
  const next = rows.map((row) => {
    const prev = old.get(key(row));
    if (!prev || prev.cells.length !== row.cells.length) return row;
    for (const { name } of [...prev.attributes]) if (!row.hasAttribute(name)) prev.removeAttribute(name);
    for (const { name, value } of [...row.attributes]) if (prev.getAttribute(name) !== value) prev.setAttribute(name, value);
    [...row.cells].forEach((cell, i) => { if (cell.outerHTML !== prev.cells[i].outerHTML) prev.cells[i].replaceWith(cell); });
    return prev;
  });
  let cursor = tbody.firstElementChild;
  for (const row of next) {
    if (row === cursor) cursor = cursor.nextElementSibling;
    else tbody.insertBefore(row, cursor);
  }
  while (cursor) {
    const after = cursor.nextElementSibling;
    cursor.remove();
    cursor = after;
  }
}

export function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

export const fmt = {
  int: (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US')),
  bytes: (n) => {
    if (n === null || n === undefined) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = Number(n);
    let i = 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  },
  time: (t) => (t ? String(t).replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:00Z$/, 'Z') : '—'),
};

export function statusBadge(status) {
  return h('span', { class: `badge st-${status}` }, status);
}

export function errorBox(err) {
  const p = err && err.problem;
  return h('div', { class: 'error', role: 'alert' },
    h('strong', {}, p && p.title ? `${p.status} ${p.title}` : 'Error'),
    ': ', p && p.detail ? p.detail : String(err && err.message ? err.message : err),
    p && p.code ? h('span', { class: 'code' }, ` (${p.code})`) : null);
}

/** A button that copies the text of a code block: the snippet stays selectable for manual copy too. */
export function copyBlock(label, text) {
  const status = h('span', { class: 'copied', 'aria-live': 'polite' });
  const button = h('button', {
    type: 'button',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        status.textContent = 'Copied';
      } catch {
        status.textContent = 'Select the text and copy it';
      }
    },
  }, `Copy ${label}`);
  return h('figure', { class: 'snippet' }, h('figcaption', {}, label), h('pre', { tabindex: '0' }, h('code', {}, text)), button, status);
}

/** Focus the page's heading after navigation, so keyboard and screen-reader users land on it. */
export function focusHeading(main) {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

