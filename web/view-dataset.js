import { api, datasetPath, enc, pages } from './api.js';
import { dl, focusHeading, fmt, h, replace, s, table } from './dom.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function dayStart(ms) {
  return Math.floor(ms / DAY) * DAY;
}

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The window shown: 7 days of hours (or 35 days), ending with the newest partition unless asked. */
async function windowOf(dataset, query) {
  const span = dataset.partitioning.granularity === 'hour' ? 7 : 35;
  const asked = query.get('from') ? Date.parse(`${query.get('from')}T00:00:00Z`) : NaN;
  if (!Number.isNaN(asked)) return { from: asked, to: asked + span * DAY, span };
  let anchor = dataset.freshness.newest_complete_partition?.start_at;
  if (!anchor) anchor = (await api(`${datasetPath(dataset.name)}/partitions?status=open&limit=1`)).items[0]?.start_at;
  const end = dayStart(anchor ? Date.parse(anchor) : Date.now()) + DAY;
  return { from: end - span * DAY, to: end, span };
}

function slotsOf(win, hourly) {
  const step = hourly ? HOUR : DAY;
  const slots = [];
  for (let t = win.from; t < win.to; t += step) slots.push(t);
  return slots;
}

function byStart(partitions) {
  const map = new Map();
  for (const p of partitions) {
    const t = Date.parse(p.start_at);
    if (!map.has(t)) map.set(t, []);
    map.get(t).push(p);
  }
  return map;
}

function cellOf(name, t, list, hourly) {
  const when = hourly ? `${isoDay(t)} ${String(new Date(t).getUTCHours()).padStart(2, '0')}:00` : isoDay(t);
  if (!list || list.length === 0) return h('td', { class: 'cell st-none' }, h('span', { class: 'visually-hidden' }, `${when}: no partition`));
  const status = list.some((p) => p.status === 'open') ? 'open' : 'complete';
  const versions = Math.max(...list.map((p) => p.version));
  const rows = list.reduce((n, p) => n + p.rows, 0);
  const label = `${when}: ${status}, ${fmt.int(rows)} rows${versions > 1 ? `, v${versions} (version ${versions})` : ''}${list.length > 1 ? `, ${list.length} partitions` : ''}`;
  return h('td', { class: `cell st-${status}${versions > 1 ? ' multi' : ''}` },
    h('a', { href: `#/datasets/${enc(name)}/partitions/${enc(list[0].id)}`, 'aria-label': label, title: label }, versions > 1 ? `v${versions}` : ''));
}

function calendar(dataset, win, partitions) {
  const hourly = dataset.partitioning.granularity === 'hour';
  const starts = byStart(partitions);
  const cols = hourly ? 24 : 7;
  const rows = [];
  for (let t = win.from; t < win.to; t += cols * (hourly ? HOUR : DAY)) {
    const cells = [];
    for (let i = 0; i < cols; i += 1) {
      const at = t + i * (hourly ? HOUR : DAY);
      cells.push(cellOf(dataset.name, at, starts.get(at), hourly));
    }
    rows.push(h('tr', {}, h('th', { scope: 'row' }, hourly ? isoDay(t) : `week of ${isoDay(t)}`), cells));
  }
  const headers = hourly ? Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0')) : ['+0', '+1', '+2', '+3', '+4', '+5', '+6'];
  return h('table', { class: 'calendar', id: 'calendar' },
    h('caption', {}, `Partitions from ${isoDay(win.from)} to ${isoDay(win.to - 1)} (UTC${hourly ? ', hours across' : ', days across'})`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, hourly ? 'Day' : 'Week'), headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

function legend() {
  return h('ul', { class: 'legend', 'aria-label': 'Legend' },
    h('li', {}, h('span', { class: 'swatch st-complete' }), 'complete'),
    h('li', {}, h('span', { class: 'swatch st-open' }), 'open'),
    h('li', {}, h('span', { class: 'swatch st-complete multi' }, 'v2'), 'more than one version'),
    h('li', {}, h('span', { class: 'swatch st-none' }), 'no partition'));
}

/** Per time slot: rows, duplicates and late rows of the partitions starting then (from their files). */
function seriesOf(slots, partitions) {
  const starts = byStart(partitions);
  return slots.map((t) => {
    const list = starts.get(t) ?? [];
    const files = list.flatMap((p) => p.files ?? []);
    return { t, rows: list.reduce((n, p) => n + p.rows, 0), duplicates: files.reduce((n, f) => n + f.duplicates, 0), late: files.reduce((n, f) => n + f.late, 0) };
  });
}

function barChart(title, points, key, cls) {
  const max = Math.max(1, ...points.map((p) => p[key]));
  const total = points.reduce((n, p) => n + p[key], 0);
  const w = 4;
  const bars = points.map((p, i) => {
    const height = (p[key] / max) * 60;
    return s('rect', { x: i * w, y: 60 - height, width: w - 1, height, class: cls }, s('title', {}, `${new Date(p.t).toISOString().slice(0, 13)}h: ${p[key]}`));
  });
  return h('figure', { class: 'chart' },
    h('figcaption', {}, `${title}: ${fmt.int(total)} in this window, at most ${fmt.int(max)} per slot`),
    s('svg', { viewBox: `0 0 ${points.length * w} 62`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${title} per time slot, ${fmt.int(total)} in total` }, bars));
}

function columnRows(columns, lineage) {
  return columns.map((c) => h('tr', { class: lineage ? 'lineage' : undefined },
    h('th', { scope: 'row' }, h('code', {}, c.name)), h('td', {}, c.type), h('td', {}, c.nullable ? 'yes' : 'no'), h('td', {}, c.description ?? '')));
}

export async function datasetView(main, [name], query, live) {
  const dataset = await api(datasetPath(name));
  const win = await windowOf(dataset, query);
  const listing = `${datasetPath(name)}/partitions?from=${new Date(win.from).toISOString()}&to=${new Date(win.to).toISOString()}&embed=files&limit=500`;
  const { items: partitions } = await pages(listing, 5_000);
  if (!live()) return;
  const hourly = dataset.partitioning.granularity === 'hour';
  const q = dataset.quality;
  const f = dataset.freshness;
  const series = seriesOf(slotsOf(win, hourly), partitions);
  const shift = (days) => `#/datasets/${enc(name)}?from=${isoDay(win.from + days * DAY)}`;
  const reasons = Object.entries(q.rejected_by_reason ?? {}).filter(([, n]) => n > 0);
  replace(main,
    h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('a', { href: '#/' }, 'Datasets'), ' / ', name),
    h('h1', {}, dataset.name),
    dataset.description ? h('p', { class: 'lead' }, dataset.description) : null,
    dl([
      ['Topic', h('code', {}, dataset.topic)],
      ['Partitions', `${fmt.int(dataset.partitions.total)} (${fmt.int(dataset.partitions.complete)} complete, ${fmt.int(dataset.partitions.open)} open)`],
      ['Rows', fmt.int(q.rows)],
      ['Size', fmt.bytes(dataset.partitions.bytes)],
      ['Newest complete partition', f.newest_complete_partition ? h('a', { href: `#/datasets/${enc(name)}/partitions/${enc(f.newest_complete_partition.id)}` }, f.newest_complete_partition.id) : '—'],
      ['Low watermark', fmt.time(f.low_watermark_at)],
      ['Consumer lag', f.consumer_lag ? fmt.int(f.consumer_lag.total) : '—'],
      ['Duplicates dropped', fmt.int(q.duplicates)],
      ['Late rows', fmt.int(q.late_rows)],
      ['Rejected', h('a', { href: `#/datasets/${enc(name)}/dead-letters` }, fmt.int(q.rejected))],
    ]),
    h('section', { 'aria-labelledby': 'partitions-h' },
      h('h2', { id: 'partitions-h' }, 'Partitions'),
      h('div', { class: 'toolbar' },
        h('a', { class: 'button', href: shift(-win.span) }, '← Earlier'),
        h('a', { class: 'button', href: shift(win.span) }, 'Later →'),
        h('form', {
          class: 'inline',
          onsubmit: (e) => {
            e.preventDefault();
            const day = e.target.elements.from.value;
            if (day) location.hash = `#/datasets/${enc(name)}?from=${day}`;
          },
        }, h('label', { for: 'from' }, 'From day'), h('input', { id: 'from', name: 'from', type: 'date', value: isoDay(win.from) }), h('button', { type: 'submit' }, 'Show'))),
      h('div', { class: 'scroll' }, calendar(dataset, win, partitions)),
      legend(),
      h('p', {}, `${fmt.int(partitions.length)} partitions in this window.`)),
    h('section', { 'aria-labelledby': 'quality-h' },
      h('h2', { id: 'quality-h' }, 'Quality over time'),
      barChart('Rows', series, 'rows', 'bar-rows'),
      barChart('Duplicates dropped', series, 'duplicates', 'bar-dup'),
      barChart('Late rows', series, 'late', 'bar-late')),
    h('section', { 'aria-labelledby': 'schema-h' },
      h('h2', { id: 'schema-h' }, `Schema (version ${dataset.schema.version})`),
      h('div', { class: 'scroll' }, table('Columns, then the lineage columns every row carries', ['Column', 'Type', 'Nullable', 'Description'], [...columnRows(dataset.schema.columns, false), ...columnRows(dataset.schema.lineage_columns, true)], { id: 'schema' })),
      h('p', {}, 'Partition path: ', h('code', {}, dataset.partitioning.path_template))),
    h('section', { 'aria-labelledby': 'dead-h' },
      h('h2', { id: 'dead-h' }, 'Dead letters'),
      reasons.length === 0
        ? h('p', {}, 'No rejected records.')
        : table('Rejected records by reason', ['Reason', 'Records'], reasons.map(([r, n]) => h('tr', {}, h('th', { scope: 'row' }, h('a', { href: `#/datasets/${enc(name)}/dead-letters?reason=${enc(r)}` }, r)), h('td', { class: 'num' }, fmt.int(n)))), { id: 'reasons' })));
  focusHeading(main);
}
