/**
 * The page over a dataset of 100,000 partitions opens in under a second: it asks the paged API
 * for one week of the calendar, never for the whole listing. The lake is an in-memory store of
 * our own (the claim is about the page and the catalog's index, not about S3); the browser is
 * real Chromium.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import { putJson } from '../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../src/storage/memory-object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { BUCKET, HOUR, hourPath, READ_TOKEN, startCatalog } from '../helpers/catalog-fixture.js';

const PARTITIONS = 100_000;
const FIRST = Date.UTC(2015, 0, 1);

function stateAt(i: number): PartitionState {
  const startMs = FIRST + i * HOUR;
  const path = hourPath(startMs);
  const at = new Date(startMs + 2 * HOUR).toISOString();
  const key = `orders/${path}/part-orders-topic-00000-${String(i * 1000).padStart(20, '0')}.zstd.parquet`;
  const file = {
    dataset: 'orders', partition_path: path, key, uri: `s3://${BUCKET}/${key}`, bytes: 120_000, rows: 1_000, sha256: 'ab'.repeat(32),
    min_event_at: new Date(startMs).toISOString(), max_event_at: new Date(startMs + HOUR - 1).toISOString(),
    source: { topic: 'orders-topic', partition: 0, first_offset: i * 1000, last_offset: i * 1000 + 999 },
    schema_version: 'v1', duplicates: i % 7, late: false, committed_at: at,
  };
  const last = i === PARTITIONS - 1;
  return {
    dataset: 'orders', partition_path: path, values: { event_date: path.slice(11, 21), event_hour: path.slice(-2) },
    start_at: new Date(startMs).toISOString(), end_at: new Date(startMs + HOUR).toISOString(),
    status: last ? 'open' : 'complete', version: i % 50 === 0 ? 2 : 1, files: [file], rows: 1_000, bytes: 120_000, duplicates: i % 7, late_rows: 0,
    min_event_at: file.min_event_at, max_event_at: file.max_event_at,
    versions: [{ version: 1, reason: 'ingest', created_at: at, completed_at: last ? null : at, files: 1, rows: 1_000, manifest: null }],
    created_at: at, updated_at: at,
  };
}

test('a dataset of 100,000 partitions opens in the browser in under a second (reached by keyboard alone)', { timeout: 600_000 }, async (t) => {
  const store = new MemoryObjectStore();
  const layout = new LakeLayout('');
  for (let i = 0; i < PARTITIONS; i++) {
    const state = stateAt(i);
    await putJson(store, layout.partitionState('orders', state.partition_path), state);
  }
  const c = await startCatalog(t, { store });
  const index = await c.catalog.lake.index('orders');
  assert.equal(index.totals().total, PARTITIONS);

  const browser = await launchBrowser(t);
  const page = await browser.newPage();
  await page.goto(`${c.url}/`);
  // By keyboard only: the token field has the focus, Enter signs in, Tab reaches the dataset's link.
  await page.waitForSelector('#token');
  assert.equal(await page.evaluate('document.activeElement.id'), 'token');
  await page.keyboard.type(READ_TOKEN);
  await Promise.all([page.waitForSelector('#datasets'), page.keyboard.press('Enter')]);
  assert.equal(await page.evaluate('document.activeElement.textContent'), 'Datasets', 'focus on the heading after navigation');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement.id'), 'search');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate("document.activeElement.getAttribute('href')"), '#/datasets/orders');
  await Promise.all([page.waitForSelector('#calendar'), page.keyboard.press('Enter')]);
  assert.equal(await page.evaluate('document.activeElement.textContent'), 'orders');

  // Warm once (the first request of a dataset reads its dead letters and checkpoints), then time.
  await page.goto(`${c.url}/#/datasets/orders`);
  await page.waitForSelector('#calendar');
  const timings: number[] = [];
  for (let run = 0; run < 3; run++) {
    await page.goto('about:blank');
    const started = Date.now();
    await page.goto(`${c.url}/#/datasets/orders`);
    await page.waitForSelector('#calendar tbody td.st-open a');
    timings.push(Date.now() - started);
  }
  const resources = (await page.evaluate(
    "performance.getEntriesByType('resource').map((e) => [new URL(e.name).pathname + new URL(e.name).search, Math.round(e.duration)])",
  )) as Array<[string, number]>;
  const navigation = (await page.evaluate("Math.round(performance.getEntriesByType('navigation')[0].duration)")) as number;
  t.diagnostic(`last load: document ${navigation} ms; API calls ${JSON.stringify(resources.filter(([u]) => !u.startsWith('/ui/') || u === '/ui/session'))}`);
  const cells = await page.$$eval('#calendar td.cell a', (as) => as.length);
  assert.ok(cells > 0 && cells <= 7 * 24, `one week of cells, not the whole listing (${cells})`);
  await screenshot(page, 'scale-100k-dataset');
  const best = Math.min(...timings);
  t.diagnostic(`page load of a 100,000-partition dataset: ${timings.join(', ')} ms`);
  assert.ok(best < 1_000, `opened in ${timings.join(', ')} ms`);

  // Paging back a year is one more week-sized request.
  const started = Date.now();
  await page.goto(`${c.url}/#/datasets/orders?from=2020-06-01`);
  await page.waitForFunction("(document.querySelector('#calendar caption')?.textContent ?? '').includes('2020-06-01')");
  await page.waitForSelector('#calendar td.st-complete a');
  const back = Date.now() - started;
  t.diagnostic(`a week in 2020: ${back} ms`);
  assert.ok(back < 1_000, `a week in 2020 in ${back} ms`);
});
