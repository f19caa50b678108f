import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { ReplayStore } from '../../../src/replay/replay-store.js';
import type { ReplayJob } from '../../../src/replay/replay-types.js';
import { getJson, putJson } from '../../../src/storage/object-store.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';

/** The pid of a process that has exited: a replay runner that was killed. */
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;

function job(id: string): ReplayJob {
  const now = new Date().toISOString();
  return {
    id,
    dataset: 'orders',
    partitions: ['event_date=2026-11-21/event_hour=10'],
    status: 'running',
    dry_run: false,
    records_total: 100,
    records_read: 10,
    rows_written: 0,
    files_written: 0,
    duplicates: 0,
    rejected: 0,
    versions: [],
    error: null,
    host: hostname(),
    pid: deadPid,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
}

// Regression (issue 11, item 5): a killed replay's last heartbeat could overwrite the `failed`
// status the next replay wrote for it. Status changes now use If-Match.
test("a stopped runner's late heartbeat does not overwrite the failed status another instance wrote", async () => {
  const store = new MemoryObjectStore();
  const layout = new LakeLayout('');
  const runner = new ReplayStore(store, layout);
  const next = new ReplayStore(store, layout);
  const stalled = job('r-1');
  await runner.saveJob(stalled);

  const failed = await next.failAbandonedJobs();
  assert.deepEqual(failed.map((j) => [j.id, j.status]), [['r-1', 'failed']]);

  stalled.records_read = 20; // its heartbeat, delivered late
  await assert.rejects(runner.saveJob(stalled), (err: unknown) => isTukangError(err, 'REPLAY_CONFLICT'));
  assert.equal((await next.readJob('r-1'))?.status, 'failed');
});

test('saves of one job from its own heartbeat and its runner do not refuse each other', async () => {
  const store = new MemoryObjectStore();
  const replays = new ReplayStore(store, new LakeLayout(''));
  const running = { ...job('r-2'), pid: process.pid };
  await replays.saveJob(running);
  await Promise.all([1, 2, 3, 4, 5].map((n) => replays.saveJob({ ...running, records_read: n * 10 })));
  assert.equal((await replays.readJob('r-2'))?.records_read, 50);
});

test("a stopped runner's late lock heartbeat does not take back a lock another replay took over", async () => {
  const store = new MemoryObjectStore();
  const layout = new LakeLayout('');
  const path = 'event_date=2026-11-21/event_hour=10';
  const lockKey = `${layout.metaRoot('orders')}partitions/${path}/replay.lock`;
  // The killed runner's lock.
  await putJson(store, lockKey, { job_id: 'old', host: hostname(), pid: deadPid, heartbeat_at: new Date().toISOString() });
  const next = new ReplayStore(store, layout);
  await next.lockAll('orders', [path], 'new');
  await new ReplayStore(store, layout).heartbeat('orders', [path], 'old');
  assert.equal((await getJson<{ job_id: string }>(store, lockKey))?.value.job_id, 'new');
});
