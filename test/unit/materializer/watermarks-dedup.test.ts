import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Deduplicator } from '../../../src/cleansing/deduplicator.js';
import { WatermarkTracker } from '../../../src/cleansing/watermark-tracker.js';
import { completedThrough } from '../../../src/materializer/completeness.js';
import { RecoveryCoverage } from '../../../src/materializer/recovery-coverage.js';
import type { SourceCheckpoint } from '../../../src/lake/metadata-types.js';

test('a partition watermark trails its highest event time by the out-of-orderness and ignores stragglers', () => {
  const w = new WatermarkTracker(30_000, 5_000);
  w.track(0, 0);
  assert.equal(w.watermarkOf(0), Number.NEGATIVE_INFINITY);
  w.observe(0, 100_000, 1);
  w.observe(0, 90_000, 2);
  assert.equal(w.watermarkOf(0), 70_000);
  w.observe(0, 130_000, 3);
  assert.equal(w.watermarkOf(0), 100_000);
  assert.equal(w.isIdle(0, 4_000), false);
  assert.equal(w.isIdle(0, 5_003), true);
});

test('duplicates are caught within the dedup window only, and memory is bounded', () => {
  const d = new Deduplicator(60_000, 3);
  assert.equal(d.isDuplicate('a', 1_000), false);
  assert.equal(d.isDuplicate('a', 50_000), true);
  assert.equal(d.isDuplicate('a', 200_000), false, 'outside the window it is a new event');
  for (const id of ['b', 'c', 'd']) d.isDuplicate(id, 0);
  assert.equal(d.size, 3);
  assert.equal(d.isDuplicate('a', 200_000), false, 'the least recently seen id was forgotten');
});

function checkpoint(partition: number, through: number, idle = false): SourceCheckpoint {
  return { dataset: 'd', topic: 't', partition, flushed_through_ms: through, max_event_time_ms: through, idle, updated_at: '' };
}

test('completeness waits for every source partition, except idle ones', () => {
  assert.equal(completedThrough([checkpoint(0, 100)], 2), undefined, 'a partition that never reported holds it back');
  assert.equal(completedThrough([checkpoint(0, 100), checkpoint(1, 50)], 2), 50);
  assert.equal(completedThrough([checkpoint(0, 100), checkpoint(1, 50, true)], 2), 100, 'an idle partition does not hold it back');
  assert.equal(completedThrough([checkpoint(0, 100, true), checkpoint(1, 50, true)], 2), 100, 'all idle: the stream stopped');
});

test('recovery coverage names the offsets already committed per time partition', () => {
  const c = new RecoveryCoverage();
  c.addFile('h10', { first: 100, last: 200 });
  c.addDeadLetters({ first: 150, last: 160 });
  assert.equal(c.coversFile('h10', 150), true);
  assert.equal(c.coversFile('h11', 150), false, 'the same offset range covers only its own time partition');
  assert.equal(c.coversFile('h10', 201), false);
  assert.equal(c.coversDeadLetter(155), true);
  assert.equal(c.lastCoveredOffset, 200);
});
