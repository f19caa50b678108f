/**
 * Cancelling a replay from the page. The bus is an in-memory one of our own (ReplayBus) that
 * holds the job in its read step until it is cancelled, so the running state can be seen and
 * acted on; the lake is the in-memory store written by the real CommitLog; the browser is real.
 * That a replay reads Kafka and completes is catalog-web.test.ts's job, against the real stack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import type { ReplayBus } from '../../src/replay/replay-bus.js';
import { getJson } from '../../src/storage/object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { assertAccessible, launchBrowser, screenshot } from '../helpers/browser.js';
import { catalogConfig, commitFile, DAY0, hourPath, startCatalog } from '../helpers/catalog-fixture.js';

const OPERATOR = 'web-cancel-operator-0123456789abcdef';
const ANALYST = 'web-cancel-analyst-0123456789abcdef';
const ID = '2026-11-21T00';

test('a running replay shows its progress and is cancelled from the page; the partition keeps its version; a read-only token sees no write control', { timeout: 120_000 }, async (t) => {
  let reading = false;
  const bus: ReplayBus = {
    offsets: async () => [0, 1].map((partition) => ({ partition, low: 0, high: 1_000 })),
    read: async (_topic, _ranges, _partitions, _onRecords, cancelled) => {
      reading = true;
      while (!cancelled()) await new Promise((r) => setTimeout(r, 20));
    },
  };
  const config = catalogConfig({ auth: { static_tokens: [{ name: 'operator', token: OPERATOR, scopes: ['tukang.read', 'tukang.write'] }, { name: 'analyst', token: ANALYST, scopes: ['tukang.read'] }] } });
  const c = await startCatalog(t, { config, deps: { replayBus: bus } });
  t.after(() => c.catalog.replays.stop());
  await commitFile(c.store, c.log, { startMs: DAY0, partition: 0, first: 0, rows: 60 });
  await commitFile(c.store, c.log, { startMs: DAY0, partition: 1, first: 0, rows: 40 });
  await c.log.completePartition('orders', hourPath(DAY0));
  await c.catalog.lake.refresh('orders');

  const browser = await launchBrowser(t);
  const page = await browser.newPage();
  await page.setBypassCSP(true);
  await page.goto(`${c.url}/`);
  await page.waitForSelector('#token');
  await page.type('#token', OPERATOR);
  await Promise.all([page.waitForSelector('#datasets'), page.click('form.sign-in button[type=submit]')]);
  await page.goto(`${c.url}/#/replays?dataset=orders&partition=${ID}`);
  await page.waitForSelector('#replay-form');
  await page.click('#replay-dry-run');
  await page.waitForSelector('#plan');
  assert.match(await page.$eval('#plan', (e) => e.textContent ?? ''), /100 records/);
  // Editing the request after the dry run withdraws the start button until the next dry run.
  await page.type('#replay-partitions', ' ');
  assert.equal(await page.$eval('#replay-start', (e) => (e as unknown as { disabled: boolean }).disabled), true);
  await page.click('#replay-dry-run');
  await page.waitForFunction("!document.getElementById('replay-start').disabled");
  await page.click('#replay-start');
  await page.waitForSelector('#replay-jobs tr[data-status="running"] button');
  assert.ok(reading, 'the job is in its read step');
  await screenshot(page, '07-replay-running');
  await assertAccessible(page, 'replays with a running job');
  // The list is polled every second while a job runs; the Cancel button a keyboard user has
  // focused stays the same node, and focused, across the polls (it was rebuilt on each one).
  const button = await page.waitForSelector('#replay-jobs tr[data-status="running"] button');
  assert.ok(button);
  await button.focus();
  let polls = 0;
  page.on('request', (req) => { if (req.method() === 'GET' && new URL(req.url()).pathname === '/replays') polls += 1; });
  await new Promise((r) => setTimeout(r, 2_500));
  assert.ok(polls >= 2, `the page polled the jobs ${polls} times while the job ran`);
  assert.equal(await button.evaluate((b) => b.isConnected && b.ownerDocument.activeElement === b), true, 'the focused Cancel button outlives the polls');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#replay-jobs tr[data-status="cancelled"]');
  assert.equal(await page.$('#replay-jobs button'), null, 'a finished job has no cancel button');
  const state = await getJson<PartitionState>(c.store, new LakeLayout('').partitionState('orders', hourPath(DAY0)));
  assert.equal(state?.value.version, 1, 'a cancelled replay switches nothing');

  // A read-only token: the jobs, but no form, no start, no cancel, not even on a running job.
  await page.click('#session button');
  await page.waitForSelector('#token');
  await page.type('#token', ANALYST);
  await Promise.all([page.waitForSelector('#datasets'), page.click('form.sign-in button[type=submit]')]);
  const second = await fetch(`${c.url}/replays`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'orders', partitions: [ID] }) });
  assert.equal(second.status, 202);
  await page.goto(`${c.url}/#/replays`);
  await page.waitForSelector('#replay-jobs tr[data-status="running"]');
  assert.ok(await page.$('#read-only'));
  assert.equal(await page.$('#replay-form'), null);
  assert.equal(await page.$('#replay-jobs button'), null);
  await page.goto(`${c.url}/#/datasets/orders/partitions/${ID}`);
  await page.waitForSelector('#versions');
  assert.equal(await page.$('main a[href^="#/replays?"]'), null, 'no replay link on the partition page');
  const cancel = await fetch(`${second.headers.get('location') ?? ''}`, { method: 'DELETE', headers: { authorization: `Bearer ${OPERATOR}` } });
  assert.equal(cancel.status, 202);
});
