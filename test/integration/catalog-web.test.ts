import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { buildCatalog } from '../../src/catalog/build-catalog.js';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import { resolveSchema } from '../../src/cleansing/schema/resolve-schema.js';
import { parseConfig } from '../../src/config/load.js';
import { IcebergCommitter } from '../../src/iceberg/iceberg-committer.js';
import { silentLogger } from '../../src/log/logger.js';
import { sampleOrderEvents } from '../../src/sample/order-events.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { createS3Client } from '../../src/storage/s3-object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { assertAccessible, launchBrowser, screenshot } from '../helpers/browser.js';
import { readLake } from '../helpers/lake-reader.js';
import { pythonJson } from '../helpers/python-readers.js';
import { ORDER_COLUMNS, ordersConfig, produce, startMaterializer, until } from '../helpers/pipeline-harness.js';
import { FIXED_DATE_LIMITS, realStack, uniqueName } from '../helpers/real-stack.js';

const START = Date.UTC(2026, 10, 9, 6, 0, 0);
const ID = '2026-11-09T06';
const PATH = 'event_date=2026-11-09/event_hour=06';
const COLUMNS = ORDER_COLUMNS.filter((c) => c.name !== 'coupon');
const READER = 'web-reader-token-0123456789abcdef';
const OPERATOR = 'web-operator-token-0123456789abcdef';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.waitForSelector('#token');
  await page.type('#token', token);
  await Promise.all([page.waitForSelector('#datasets'), page.click('form.sign-in button[type=submit]')]);
}

async function signOut(page: Page): Promise<void> {
  await page.click('#session button');
  await page.waitForSelector('#token');
}

/** The visible preview table: header names, then each row's cells (the row number column dropped). */
async function previewTable(page: Page): Promise<{ columns: string[]; rows: string[][] }> {
  return page.$eval('#preview', (table) => ({
    columns: [...table.querySelectorAll('thead th')].slice(1).map((th) => th.textContent ?? ''),
    rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  }));
}

test('the analyst page in real Chromium: sign in, datasets, a dataset, a partition whose preview is the lake, dead letters, a replay from the page', { timeout: 400_000 }, async (t) => {
  const stack = await realStack(t, 'catalog-web');
  const topic = await stack.createTopic(3, 'catalog-web');
  const base = ordersConfig(topic, stack.prefix, uniqueName('catalog-web-group'), { schema: { columns: COLUMNS, unknown_fields: 'ignore' } });
  await produce(base, topic, sampleOrderEvents({ count: 6_000, startMs: START, stepMs: 2_000, duplicateRate: 0.02, disorderMs: 10_000, badRate: 0.01, seed: 15 }));
  const run = await startMaterializer(base, stack.store);
  const stateOf = async (): Promise<PartitionState | undefined> => (await readLake(stack.store, stack.prefix, 'orders')).find((p) => p.state.partition_path === PATH)?.state;
  await until(async () => (await stateOf())?.status === 'complete', 120_000, () => `completed ${run.pipeline.counters.partitionsCompleted}`);
  await until(() => run.pipeline.counters.partitionsCompleted >= 3, 60_000, () => `completed ${run.pipeline.counters.partitionsCompleted}`);
  await run.stop();

  const config = parseConfig({
    kafka: { brokers: base.kafka.brokers, group_id: base.kafka.group_id },
    s3: { endpoint: base.s3.endpoint, bucket: base.s3.bucket, prefix: stack.prefix },
    log: { level: 'silent' },
    catalog: {
      auth: { static_tokens: [{ name: 'analyst', token: READER, scopes: ['tukang.read'] }, { name: 'operator', token: OPERATOR, scopes: ['tukang.read', 'tukang.write'] }] },
      cache: { change_settle: '0ms', refresh_interval: '200ms' },
    },
    datasets: base.datasets.map((d) => ({ name: d.name, description: 'Orders placed in the shop, one row per order.', topic: d.topic, envelope: { type: 'nakadi' }, limits: FIXED_DATE_LIMITS, schema: { columns: COLUMNS, unknown_fields: 'ignore' }, watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1s' } })),
  });
  const catalog = buildCatalog({ config, logger: silentLogger(), store: stack.store, checks: [], kafka: createKafka(config.kafka, silentLogger()), s3Client: createS3Client(config.s3) });
  // As the service does (catalogComponents): the index refreshes itself, replays mark abandoned jobs.
  await catalog.lake.start();
  await catalog.replays.start();
  // The dataset's Iceberg table, as `tukang run` keeps it (its first pass covers every partition).
  const iceberg = new IcebergCommitter({ config, datasets: config.datasets.map((dataset) => ({ dataset, schema: resolveSchema(dataset) })), store: stack.store, layout: new LakeLayout(stack.prefix), logger: silentLogger() });
  await iceberg.start();
  await iceberg.flush();
  t.after(() => iceberg.stop());
  const server = createServer(catalog.app);
  const url = await listen(server);
  t.after(async () => {
    await catalog.replays.stop();
    await catalog.lake.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const lake = await readLake(stack.store, stack.prefix, 'orders');
  const target = lake.find((p) => p.state.partition_path === PATH);
  assert.ok(target);
  const complete = lake.filter((p) => p.state.status === 'complete');

  const browser = await launchBrowser(t);
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  const consoleErrors: string[] = [];
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  // axe-core is injected as a script of its own: only the test bypasses the page's CSP.
  await page.setBypassCSP(true);

  // Sign-in.
  await page.goto(`${url}/`);
  await page.waitForSelector('#token');
  await screenshot(page, '01-sign-in');
  await assertAccessible(page, 'sign-in');
  await page.type('#token', 'not-a-token-at-all');
  await page.click('form.sign-in button[type=submit]');
  await page.waitForFunction("(document.getElementById('sign-in-message')?.textContent ?? '').includes('did not accept')");
  await page.type('#token', READER);
  await Promise.all([page.waitForSelector('#datasets'), page.click('form.sign-in button[type=submit]')]);

  // Datasets: the one dataset, its freshness and quality as the API reports them.
  const dataset = (await (await fetch(`${url}/datasets/orders`, { headers: { authorization: `Bearer ${READER}` } })).json()) as { quality: { rows: number; rejected: number; duplicates: number } };
  const listed = await page.$$eval('#datasets tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
  assert.equal(listed.length, 1);
  assert.equal(listed[0]?.[0], 'orders');
  assert.equal(listed[0]?.[1], 'Orders placed in the shop, one row per order.');
  assert.equal(listed[0]?.[5], dataset.quality.rows.toLocaleString('en-US'));
  assert.equal(listed[0]?.[6], String(complete.length));
  assert.equal(listed[0]?.[10], dataset.quality.rejected.toLocaleString('en-US'));
  assert.ok(dataset.quality.rejected > 0);
  await page.type('#search', 'nothing-like-this');
  assert.equal(await page.$eval('#dataset-count', (e) => e.textContent), '0 of 1 datasets');
  await page.$eval('#search', (e) => { (e as unknown as { value: string }).value = ''; e.dispatchEvent(new Event('input')); });
  await page.type('#search', 'shop');
  assert.equal(await page.$eval('#dataset-count', (e) => e.textContent), '1 of 1 datasets');
  await screenshot(page, '02-datasets');
  await assertAccessible(page, 'datasets');

  // A dataset: schema, calendar of partitions, dead-letter reasons.
  await Promise.all([page.waitForSelector('#calendar'), page.click('#datasets tbody a[href="#/datasets/orders"]')]);
  const schema = await page.$$eval('#schema tbody th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(schema.slice(0, COLUMNS.length), COLUMNS.map((c) => c.name));
  const cells = await page.$$eval('#calendar td.st-complete a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(new Set(cells), new Set(complete.map((p) => `#/datasets/orders/partitions/${p.state.partition_path.replace('event_date=', '').replace('/event_hour=', 'T')}`)));
  assert.ok((await page.$$('#reasons tbody tr')).length > 0, 'dead-letter reasons listed');
  await screenshot(page, '03-dataset');
  await assertAccessible(page, 'dataset');

  // A partition: versions, files, and a preview that is exactly the lake's first rows.
  await Promise.all([page.waitForSelector('#preview tbody tr'), page.click(`#calendar a[href="#/datasets/orders/partitions/${ID}"]`)]);
  const lakeRows = target.files.flatMap((f) => f.rows);
  const shown = (rows: Array<Record<string, unknown>>, columns: string[]): string[][] => rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? 'null' : String(r[c]))));
  let preview = await previewTable(page);
  const checked = ['order_id', 'amount', '_event_id', '_source_partition', '_source_offset'];
  assert.deepEqual(preview.rows.map((r) => r.filter((_, i) => checked.includes(preview.columns[i] ?? ''))), shown(lakeRows.slice(0, 20), checked));
  const files = await page.$$eval('#files tbody th', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(files, target.state.files.map((f) => f.uri));
  // Fewer columns, then the next page of rows.
  const dropped = ['amount', '_received_at', '_event_time', '_source_topic'];
  for (const drop of dropped) {
    await page.click(`fieldset.columns input[value="${drop}"]`);
    await page.waitForFunction(`![...document.querySelectorAll('#preview thead th')].some((th) => th.textContent === ${JSON.stringify(drop)})`);
  }
  await page.click('button ::-p-text(Next rows)');
  await page.waitForFunction("(document.querySelector('#preview caption')?.textContent ?? '').startsWith('Rows 21–40')");
  preview = await previewTable(page);
  assert.deepEqual(preview.columns, [...COLUMNS.map((c) => c.name), '_event_id', '_event_time', '_source_topic', '_source_partition', '_source_offset', '_received_at'].filter((c) => !dropped.includes(c)));
  assert.deepEqual(preview.rows, shown(lakeRows.slice(20, 40), preview.columns));
  // Snippets name exactly this version's files; the Redshift manifest they name exists in S3.
  const snippets = await page.$$eval('figure.snippet code', (codes) => codes.map((c) => c.textContent ?? ''));
  for (const f of target.state.files) assert.ok(snippets[0]?.includes(`'${f.uri}'`), `DuckDB snippet names ${f.uri}`);
  // Real DuckDB runs the snippet's query (its INSTALL and SECRET lines are the user's to adapt; the
  // test's connection has the stack's S3 secret): exactly the lake's rows of this version, in event-time order.
  const query = (snippets[0] ?? '').slice((snippets[0] ?? '').indexOf('SELECT *')).replace(/;\s*$/, '');
  const duck = await pythonJson<Array<[string, number, number]>>(
    'import json, sys, tukang_readers\ncon = tukang_readers.duckdb_connect()\nrows = con.execute("SELECT _event_id, _source_partition, _source_offset FROM (" + sys.argv[1] + ")").fetchall()\nprint(json.dumps([list(r) for r in rows]))',
    { args: [query] },
  );
  const byTime = [...lakeRows].sort((a, b) => Number(a['_event_time']) - Number(b['_event_time']) || Number(a['_source_partition']) - Number(b['_source_partition']) || Number(a['_source_offset']) - Number(b['_source_offset']));
  assert.equal(duck.length, target.state.rows);
  assert.deepEqual(new Set(duck.map((r) => r[0])), new Set(lakeRows.map((r) => String(r['_event_id']))));
  assert.deepEqual(duck.map((r) => r[0]).slice(0, 50), byTime.slice(0, 50).map((r) => String(r['_event_id'])));
  // Real PyIceberg runs the PyIceberg snippet through the catalog's Iceberg REST endpoint (with the
  // test's token and the stack's credentials filled in): this partition's rows, once the table's
  // snapshot has caught up with the lake (at most one iceberg.commit_interval behind).
  const pyiceberg = snippets.find((c) => c.startsWith('# PyIceberg')) ?? '';
  assert.ok(pyiceberg.includes('load_table(("tukang", "orders"))'), pyiceberg);
  const program = `${pyiceberg
    .replace('<tukang.read token>', READER)
    .replace('"s3.access-key-id": "…", "s3.secret-access-key": "…"', '"s3.access-key-id": "test", "s3.secret-access-key": "test"')}\nimport json\nprint(json.dumps(sorted(rows.column("_event_id").to_pylist())))`;
  const wantIds = [...new Set(lakeRows.map((r) => String(r['_event_id'])))].sort();
  let icebergIds: string[] = [];
  for (let attempt = 0; attempt < 20 && JSON.stringify(icebergIds) !== JSON.stringify(wantIds); attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 2_000));
    icebergIds = await pythonJson<string[]>(program);
  }
  assert.deepEqual(icebergIds, wantIds, 'PyIceberg snippet reads exactly this partition');
  const manifestUri = /FROM '(s3:\/\/[^']+)'/.exec(snippets.find((c) => c.startsWith('-- Redshift')) ?? '')?.[1] ?? '';
  assert.equal(manifestUri, `s3://${config.s3.bucket}/${target.state.versions.at(-1)?.manifest}`);
  assert.ok(await stack.store.head(target.state.versions.at(-1)?.manifest ?? ''), 'the manifest the COPY snippet names exists');
  const downloads = await page.$$eval('#downloads a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  assert.equal(downloads.length, target.state.files.length);
  const downloaded = await fetch(downloads[0] ?? '');
  assert.equal(downloaded.status, 200);
  assert.equal((await downloaded.arrayBuffer()).byteLength, target.state.files[0]?.bytes);
  assert.equal(await page.$('a ::-p-text(Replay this partition)'), null, 'a read-only token sees no replay control');
  await screenshot(page, '04-partition');
  await assertAccessible(page, 'partition');

  // Dead letters: reasons and decoded records with their coordinates.
  await page.goto(`${url}/#/datasets/orders/dead-letters`);
  await page.waitForSelector('#dead-letters tbody tr');
  const deadRows = await page.$$eval('#dead-letters tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
  assert.ok(deadRows.every((r) => /^.+ \/ \d+ \/ \d+$/.test(r[0] ?? '')), 'coordinates');
  const reasonsShown = await page.$$eval('#dead-letter-reasons tbody tr', (rows) => rows.map((r) => Number((r.children[1]?.textContent ?? '').replaceAll(',', ''))));
  assert.equal(reasonsShown.reduce((a, b) => a + b, 0), dataset.quality.rejected);
  await screenshot(page, '05-dead-letters');
  await assertAccessible(page, 'dead letters');

  // Replays, read-only: no form, no cancel.
  await page.goto(`${url}/#/replays`);
  await page.waitForSelector('#read-only');
  assert.equal(await page.$('#replay-form'), null);
  assert.equal(await page.$('#replay-start'), null);

  // An operator replays the partition from its page: dry run first, then start, then the new version.
  await signOut(page);
  await signIn(page, url, OPERATOR);
  await page.goto(`${url}/#/datasets/orders/partitions/${ID}`);
  await page.waitForSelector('#versions');
  await Promise.all([page.waitForSelector('#replay-form'), page.click('a ::-p-text(Replay this partition)')]);
  assert.equal(await page.$eval('#replay-partitions', (e) => (e as unknown as { value: string }).value), ID);
  assert.equal(await page.$eval('#replay-start', (e) => (e as unknown as { disabled: boolean }).disabled), true, 'no start before a dry run');
  await page.click('#replay-dry-run');
  await page.waitForSelector('#plan');
  const planText = await page.$eval('#plan', (e) => e.textContent ?? '');
  assert.match(planText, new RegExp(ID));
  await page.click('#replay-start');
  await page.waitForSelector('#replay-jobs tr[data-status="succeeded"]', { timeout: 180_000 }).catch(async (err: unknown) => {
    throw new Error(`the replays page shows: ${await page.$eval('#main', (m) => m.textContent ?? '')}`, { cause: err });
  });
  await screenshot(page, '06-replays');
  await assertAccessible(page, 'replays');
  const after = (await stateOf()) as PartitionState;
  assert.equal(after.version, target.state.version + 1);
  assert.equal(after.versions.at(-1)?.reason, 'replay');
  await page.click(`#replay-jobs a[href="#/datasets/orders/partitions/${ID}"]`);
  await page
    .waitForFunction(`(document.querySelector('#versions tr.current')?.textContent ?? '').includes('${after.version} (current)replay')`, { timeout: 15_000 })
    .catch(async (err: unknown) => {
      throw new Error(`the partition page after the replay shows: ${await page.$eval('#main', (m) => m.textContent ?? '')}`, { cause: err });
    });

  // The token was never in a URL, a cookie or local storage.
  for (const u of requested) for (const secret of [READER, OPERATOR]) assert.ok(!u.includes(secret), `token in ${u}`);
  assert.deepEqual(await page.cookies(), []);
  assert.equal(await page.evaluate('localStorage.length'), 0);
  assert.equal(await page.evaluate("sessionStorage.getItem('tukang.catalog.token')"), OPERATOR);
  assert.deepEqual(consoleErrors, []);
});
