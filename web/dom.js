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

