import { api, canWrite, enc } from './api.js';
import { errorBox, focusHeading, fmt, h, patchRows, replace, statusBadge, table } from './dom.js';

function progress(job) {
  const total = job.records_total || 0;
  return h('div', {},
    h('progress', { max: Math.max(total, 1), value: Math.min(job.records_read, Math.max(total, 1)), 'aria-label': `Replay ${job.id} progress` }),
    ` ${fmt.int(job.records_read)} of ${fmt.int(total)} records, ${fmt.int(job.files_written)} files`);
}

function jobRow(job, onCancel) {
  return h('tr', { dataset: { job: job.id, status: job.status } },
    h('th', { scope: 'row' }, h('code', {}, job.id)),
    h('td', {}, h('a', { href: `#/datasets/${enc(job.dataset)}` }, job.dataset)),
    h('td', {}, statusBadge(job.status)),
    h('td', {}, progress(job)),
    h('td', {}, job.versions.length ? h('ul', { class: 'plain' }, job.versions.map((v) => h('li', {}, h('a', { href: `#/datasets/${enc(job.dataset)}/partitions/${enc(v.partition)}` }, v.partition), v.to_version === null ? ` v${v.from_version}, not switched yet` : ` v${v.from_version} → v${v.to_version}`))) : '—'),
    h('td', {}, fmt.time(job.created_at)),
    h('td', {}, job.error ?? ''),
    canWrite() ? h('td', {}, job.status === 'running' ? h('button', { type: 'button', 'aria-label': `Cancel replay ${job.id}`, onclick: () => onCancel(job) }, 'Cancel') : '') : null);
}

function planView(plan) {
  return h('div', { id: 'plan' },
    h('p', {}, `Dry run: ${fmt.int(plan.records_total)} records of ${plan.topic} would be read again; nothing has changed yet.`),
    table('Partitions that would get a new version', ['Partition', 'Current version', 'Files', 'Rows'], plan.partitions.map((p) => h('tr', {}, h('th', { scope: 'row' }, p.id), h('td', {}, String(p.version)), h('td', { class: 'num' }, fmt.int(p.files)), h('td', { class: 'num' }, fmt.int(p.rows))))),
    table('Source offsets to read', ['Kafka partition', 'First offset', 'Last offset'], plan.ranges.map((r) => h('tr', {}, h('th', { scope: 'row' }, String(r.partition)), h('td', {}, String(r.first_offset)), h('td', {}, String(r.last_offset))))));
}

/** Start form: a dry run first; "Start replay" is offered only for the request just previewed. */
function startForm(datasets, query, onStarted) {
  const message = h('div', { 'aria-live': 'polite', id: 'replay-message' });
  const select = h('select', { id: 'replay-dataset', name: 'dataset' }, datasets.map((d) => h('option', { value: d.name, selected: d.name === query.get('dataset') }, d.name)));
  const ids = h('input', { id: 'replay-partitions', name: 'partitions', type: 'text', value: query.get('partition') ?? '', 'aria-describedby': 'replay-partitions-help', required: true });
  let previewed = null;
  const request = () => ({ dataset: select.value, partitions: ids.value.split(/[\s,]+/).filter(Boolean) });
  const start = h('button', { type: 'button', id: 'replay-start', disabled: true, onclick: async () => {
    if (!previewed) return;
    start.disabled = true;
    try {
      const job = await api('/replays', { method: 'POST', body: previewed });
      replace(message, h('p', {}, `Replay ${job.id} started.`));
      previewed = null;
      onStarted();
    } catch (err) {
      replace(message, errorBox(err));
    }
  } }, 'Start replay');
  const invalidate = () => { previewed = null; start.disabled = true; };
  select.addEventListener('change', invalidate);
  ids.addEventListener('input', invalidate);
  const form = h('form', { id: 'replay-form', method: 'post', onsubmit: async (e) => {
    e.preventDefault();
    const body = request();
    try {
      const plan = await api('/replays', { method: 'POST', body: { ...body, dry_run: true } });
      previewed = body;
      start.disabled = false;
      replace(message, planView(plan));
    } catch (err) {
      invalidate();
      replace(message, errorBox(err));
    }
  } },
  h('div', { class: 'field' }, h('label', { for: 'replay-dataset' }, 'Dataset'), select),
  h('div', { class: 'field' }, h('label', { for: 'replay-partitions' }, 'Partitions'), ids,
    h('p', { id: 'replay-partitions-help', class: 'help' }, 'Partition ids such as 2026-11-21T10, separated by commas. Only complete partitions can be replayed.')),
  h('div', { class: 'toolbar' }, h('button', { type: 'submit', id: 'replay-dry-run' }, 'Preview (dry run)'), start));
  return h('section', { 'aria-labelledby': 'start-h' }, h('h2', { id: 'start-h' }, 'Start a replay'), form, message);
}

export async function replaysView(main, _params, query, live) {
  const datasets = (await api('/datasets')).items;
  if (!live()) return;
  // A cancel's error stays until the next cancel; the list is patched in place on each poll,
  // so a focused or half-clicked Cancel button is not swapped for a copy every second.
  const cancelMessage = h('div', { 'aria-live': 'polite', id: 'cancel-message' });
  const listBox = h('div', {});
  const jobsBox = h('div', { id: 'jobs' }, cancelMessage, listBox);
  const headers = ['Job', 'Dataset', 'Status', 'Progress', 'New versions', 'Started', 'Error', ...(canWrite() ? ['Action'] : [])];
  let timer;
  const cancel = async (job) => {
    replace(cancelMessage);
    try {
      await api(`/replays/${enc(job.id)}`, { method: 'DELETE' });
    } catch (err) {
      replace(cancelMessage, errorBox(err));
    }
    refresh();
  };
  const refresh = async () => {
    clearTimeout(timer);
    if (!live()) return;
    let jobs;
    try {
      jobs = (await api('/replays?limit=50')).items;
    } catch (err) {
      replace(listBox, errorBox(err));
      timer = setTimeout(refresh, 3_000);
      return;
    }
    if (!live()) return;
    const rows = jobs.map((j) => jobRow(j, cancel));
    const shown = listBox.querySelector('#replay-jobs');
    if (shown && rows.length > 0) patchRows(shown.tBodies[0], rows, (row) => row.dataset.job);
    else replace(listBox, rows.length === 0 ? h('p', {}, 'No replays yet.') : h('div', { class: 'scroll' }, table('Replay jobs, newest first', headers, rows, { id: 'replay-jobs' })));
    // Live progress: poll while a job runs and this page is shown.
    if (jobs.some((j) => j.status === 'running')) timer = setTimeout(refresh, 1_000);
  };
  replace(main,
    h('h1', {}, 'Replays'),
    h('p', {}, 'A replay rebuilds complete partitions from Kafka with the current config and switches each to a new version atomically.'),
    canWrite() ? startForm(datasets, query, refresh) : h('p', { id: 'read-only' }, 'Your token has no tukang.write scope: you can follow replays but not start or cancel them.'),
    h('section', { 'aria-labelledby': 'jobs-h' }, h('h2', { id: 'jobs-h' }, 'Jobs'), jobsBox));
  await refresh();
  focusHeading(main);
}
