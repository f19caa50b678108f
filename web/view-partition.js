import { api, ApiError, canWrite, datasetPath, enc, partitionPath } from './api.js';
import { dl, errorBox, focusHeading, fmt, h, replace, statusBadge, table } from './dom.js';
import { snippets } from './view-snippets.js';

const PAGE = 20;

function filesTable(files) {
  return table('Files of the current version', ['File', 'Size', 'Rows', 'SHA-256', 'Source offsets', 'Event times', 'Committed'],
    files.map((f) => h('tr', {},
      h('th', { scope: 'row' }, h('code', { class: 'uri' }, f.uri)),
      h('td', { class: 'num' }, fmt.bytes(f.bytes)),
      h('td', { class: 'num' }, fmt.int(f.rows)),
      h('td', {}, h('code', { title: f.sha256 }, `${f.sha256.slice(0, 12)}…`)),
      h('td', {}, `${f.source.topic} / ${f.source.partition} / ${f.source.first_offset}–${f.source.last_offset}`),
      h('td', {}, `${fmt.time(f.min_event_at)} – ${fmt.time(f.max_event_at)}`),
      h('td', {}, fmt.time(f.committed_at)))), { id: 'files' });
}

function versionsTable(p) {
  return table('Versions, oldest first', ['Version', 'Reason', 'Created', 'Completed', 'Files', 'Rows'],
    p.versions.map((v) => h('tr', { class: v.version === p.version ? 'current' : undefined },
      h('th', { scope: 'row' }, `${v.version}${v.version === p.version ? ' (current)' : ''}`),
      h('td', {}, v.reason), h('td', {}, fmt.time(v.created_at)), h('td', {}, fmt.time(v.completed_at)),
      h('td', { class: 'num' }, fmt.int(v.files)), h('td', { class: 'num' }, fmt.int(v.rows)))), { id: 'versions' });
}

function cellText(v) {
  if (v === null || v === undefined) return h('span', { class: 'null' }, 'null');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The first rows, a page at a time (the API serves the first N rows; we ask for as many as shown). */
function preview(dataset, partition, allColumns) {
  const box = h('div', { id: 'preview-rows', 'aria-live': 'polite' });
  const state = { page: 0, columns: new Set(allColumns) };
  const load = async () => {
    const wanted = allColumns.filter((c) => state.columns.has(c));
    if (wanted.length === 0) {
      replace(box, h('p', {}, 'Choose at least one column.'));
      return;
    }
    const limit = (state.page + 1) * PAGE;
    let data;
    try {
      data = await api(`${partitionPath(dataset, partition.id)}/preview?limit=${limit}&columns=${wanted.map(enc).join(',')}`);
    } catch (err) {
      replace(box, errorBox(err));
      return;
    }
    const rows = data.rows.slice(state.page * PAGE, limit);
    const first = state.page * PAGE + 1;
    const more = data.rows.length === limit && limit < partition.rows;
    replace(box,
      h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Preview rows' }, table(`Rows ${first}–${first + rows.length - 1} of ${fmt.int(partition.rows)}`, ['#', ...data.columns],
        rows.map((r, i) => h('tr', {}, h('th', { scope: 'row' }, String(first + i)), data.columns.map((c) => h('td', {}, cellText(r[c]))))), { id: 'preview' })),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', disabled: state.page === 0, onclick: () => { state.page -= 1; load(); } }, 'Previous rows'),
        h('button', { type: 'button', disabled: !more, onclick: () => { state.page += 1; load(); } }, 'Next rows')));
  };
  const chooser = h('fieldset', { class: 'columns' }, h('legend', {}, 'Columns'),
    allColumns.map((c) => h('label', {}, h('input', {
      type: 'checkbox', name: 'column', value: c, checked: true,
      onchange: (e) => {
        if (e.target.checked) state.columns.add(c);
        else state.columns.delete(c);
        state.page = 0;
        load();
      },
    }), ' ', c)));
  load();
  return [chooser, box];
}

async function manifestSection(dataset, partition) {
  try {
    const m = await api(`${partitionPath(dataset, partition.id)}/manifest?presign=true`);
    const shown = { ...m, entries: m.entries.map(({ download_url: _ignored, ...e }) => e) };
    return [
      h('p', {}, `Version ${m.version}, ${fmt.int(m.rows)} rows. Download links expire.`),
      h('ul', { id: 'downloads' }, m.entries.map((e) => h('li', {}, e.download_url ? h('a', { href: e.download_url, rel: 'noreferrer' }, `Download ${e.url.slice(e.url.lastIndexOf('/') + 1)}`) : e.url, ` (${fmt.bytes(e.meta.content_length)})`))),
      h('details', {}, h('summary', {}, 'Manifest (Redshift COPY shape)'), h('pre', { tabindex: '0', id: 'manifest' }, h('code', {}, JSON.stringify(shown, null, 2)))),
    ];
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return [h('p', {}, 'No complete version yet, so no manifest.')];
    return [errorBox(err)];
  }
}

export async function partitionView(main, [name, id], _query, live) {
  // The Iceberg REST endpoint is there unless iceberg.enabled is false: then no PyIceberg snippet.
  const [dataset, partition, namespaces] = await Promise.all([
    api(datasetPath(name)),
    api(partitionPath(name, id)),
    api('/iceberg/v1/namespaces').catch(() => null),
  ]);
  const namespace = namespaces?.namespaces?.[0]?.[0];
  const manifest = await manifestSection(name, partition);
  if (!live()) return;
  const columns = [...dataset.schema.columns, ...dataset.schema.lineage_columns].map((c) => c.name);
  replace(main,
    h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('a', { href: '#/' }, 'Datasets'), ' / ', h('a', { href: `#/datasets/${enc(name)}` }, name), ' / ', id),
    h('h1', {}, `${name} ${id}`),
    dl([
      ['Status', statusBadge(partition.status)],
      ['Version', String(partition.version)],
      ['Path', h('code', {}, partition.path)],
      ['Rows', fmt.int(partition.rows)],
      ['Size', fmt.bytes(partition.bytes)],
      ['Event times', `${fmt.time(partition.min_event_at)} – ${fmt.time(partition.max_event_at)}`],
      ['Duplicates dropped', fmt.int(partition.quality.duplicates)],
      ['Late rows', fmt.int(partition.quality.late_rows)],
    ]),
    canWrite() && partition.status === 'complete' ? h('p', {}, h('a', { class: 'button', href: `#/replays?dataset=${enc(name)}&partition=${enc(id)}` }, 'Replay this partition…')) : null,
    h('section', { 'aria-labelledby': 'versions-h' }, h('h2', { id: 'versions-h' }, 'Versions'), h('div', { class: 'scroll' }, versionsTable(partition))),
    h('section', { 'aria-labelledby': 'files-h' }, h('h2', { id: 'files-h' }, 'Files'), h('div', { class: 'scroll' }, filesTable(partition.files))),
    h('section', { 'aria-labelledby': 'preview-h' }, h('h2', { id: 'preview-h' }, 'Preview'), preview(name, partition, columns)),
    h('section', { 'aria-labelledby': 'manifest-h' }, h('h2', { id: 'manifest-h' }, 'Manifest and downloads'), manifest),
    h('section', { 'aria-labelledby': 'read-h' }, h('h2', { id: 'read-h' }, 'Read this partition'), snippets(partition, namespace ? { namespace, columns: dataset.schema.columns.map((c) => c.name), origin: location.origin } : undefined)));
  focusHeading(main);
}
