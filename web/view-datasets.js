import { api, datasetPath, enc } from './api.js';
import { focusHeading, fmt, h, replace, table } from './dom.js';

function lagOf(d) {
  const lag = d.freshness.consumer_lag;
  return lag ? fmt.int(lag.total) : '—';
}

function row(d) {
  const q = d.quality;
  const newest = d.freshness.newest_complete_partition;
  return h('tr', { dataset: { search: `${d.name} ${d.description ?? ''} ${d.topic}`.toLowerCase() } },
    h('th', { scope: 'row' }, h('a', { href: `#/datasets/${enc(d.name)}` }, d.name)),
    h('td', {}, d.description ?? ''),
    h('td', {}, newest ? h('a', { href: `#/datasets/${enc(d.name)}/partitions/${enc(newest.id)}` }, newest.id) : '—'),
    h('td', {}, fmt.time(d.freshness.low_watermark_at)),
    h('td', { class: 'num' }, lagOf(d)),
    h('td', { class: 'num' }, fmt.int(q.rows)),
    h('td', { class: 'num' }, fmt.int(d.partitions.complete)),
    h('td', { class: 'num' }, fmt.int(d.partitions.open)),
    h('td', { class: 'num' }, fmt.int(q.duplicates)),
    h('td', { class: 'num' }, fmt.int(q.late_rows)),
    h('td', { class: 'num' }, q.rejected > 0 ? h('a', { href: `#/datasets/${enc(d.name)}/dead-letters` }, fmt.int(q.rejected)) : '0'));
}

export async function datasetsView(main, _params, query, live) {
  const list = await api('/datasets');
  const details = await Promise.all(list.items.map((d) => api(datasetPath(d.name))));
  if (!live()) return;
  const rows = details.map(row);
  const count = h('p', { id: 'dataset-count', 'aria-live': 'polite' });
  const filter = (text) => {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const r of rows) {
      const hit = words.every((w) => r.dataset.search.includes(w));
      r.hidden = !hit;
      if (hit) shown += 1;
    }
    count.textContent = `${shown} of ${rows.length} datasets`;
  };
  const search = h('input', { id: 'search', type: 'search', value: query.get('q') ?? '', oninput: (e) => filter(e.target.value) });
  replace(main,
    h('h1', {}, 'Datasets'),
    h('form', { role: 'search', class: 'inline', onsubmit: (e) => e.preventDefault() }, h('label', { for: 'search' }, 'Search datasets'), search),
    count,
    h('div', { class: 'scroll' }, table('Datasets, their freshness and quality', ['Dataset', 'Description', 'Newest complete partition', 'Low watermark', 'Consumer lag', 'Rows', 'Complete', 'Open', 'Duplicates', 'Late rows', 'Rejected'], rows, { id: 'datasets' })));
  filter(search.value);
  focusHeading(main);
}
