import { api, datasetPath, enc } from './api.js';
import { focusHeading, fmt, h, replace, table } from './dom.js';

/** The original bytes as text when they are UTF-8, else a note; long values are cut for the table. */
function decoded(b64) {
  if (b64 === null || b64 === undefined) return h('span', { class: 'null' }, 'none');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return `${fmt.int(bytes.length)} bytes, not UTF-8 (base64 ${b64.slice(0, 60)}${b64.length > 60 ? '…' : ''})`;
  }
  return h('code', { class: 'record' }, text.length > 600 ? `${text.slice(0, 600)}…` : text);
}

export async function deadLettersView(main, [name], query, live) {
  const reason = query.get('reason');
  const first = `${datasetPath(name)}/dead-letters?limit=25${reason ? `&reason=${enc(reason)}` : ''}`;
  const data = await api(first);
  if (!live()) return;
  const counts = Object.entries(data.counts.by_reason ?? {}).filter(([, n]) => n > 0);
  const link = (r) => `#/datasets/${enc(name)}/dead-letters${r ? `?reason=${enc(r)}` : ''}`;
  const items = h('div', { id: 'dead-letter-items' });
  let next = data.next;
  const more = h('button', { type: 'button', hidden: !next, onclick: async () => {
    const page = await api(next);
    next = page.next;
    more.hidden = !next;
    body.append(...page.items.map(row));
  } }, 'More records');
  const row = (l) => h('tr', {},
    h('th', { scope: 'row' }, `${l.topic} / ${l.partition} / ${l.offset}`),
    h('td', {}, l.reason), h('td', {}, l.message), h('td', {}, fmt.time(l.received_at)), h('td', {}, decoded(l.value_base64)));
  const body = h('tbody', {}, data.items.map(row));
  replace(items, h('div', { class: 'scroll' }, h('table', { id: 'dead-letters' },
    h('caption', {}, reason ? `Rejected records, reason ${reason}` : 'Rejected records'),
    h('thead', {}, h('tr', {}, ['Source (topic / partition / offset)', 'Reason', 'Message', 'Received', 'Record'].map((x) => h('th', { scope: 'col' }, x)))),
    body)), more);
  replace(main,
    h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('a', { href: '#/' }, 'Datasets'), ' / ', h('a', { href: `#/datasets/${enc(name)}` }, name), ' / dead letters'),
    h('h1', {}, `Dead letters of ${name}`),
    h('p', {}, `${fmt.int(data.counts.total)} records rejected. `, reason ? h('a', { href: link(null) }, 'Show every reason') : null),
    counts.length ? table('By reason', ['Reason', 'Records'], counts.map(([r, n]) => h('tr', {}, h('th', { scope: 'row' }, h('a', { href: link(r), 'aria-current': r === reason ? 'true' : undefined }, r)), h('td', { class: 'num' }, fmt.int(n)))), { id: 'dead-letter-reasons' }) : null,
    data.items.length ? items : h('p', {}, 'No records.'));
  focusHeading(main);
}
