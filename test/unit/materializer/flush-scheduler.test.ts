import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TukangError } from '../../../src/errors/catalogue.js';
import { failsForGood } from '../../../src/materializer/flush-scheduler.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { listAll } from '../../../src/storage/object-store.js';
import type { DeadLetter } from '../../../src/writing/dead-letter-batch.js';
import { readPartitionStates } from '../../helpers/lake-reader.js';
import { balance, brokenRecord, failingEncoder, flushEverything, memoryLake, orderRecord, pipelineOver } from '../../helpers/pipeline-driver.js';

async function deadLetters(store: ObjectStore): Promise<Array<{ key: string; letter: DeadLetter }>> {
  const out: Array<{ key: string; letter: DeadLetter }> = [];
  for await (const o of listAll(store, '_tukang/dead-letters/')) {
    const text = Buffer.from((await store.get(o.key))?.body ?? []).toString('utf8');
    for (const line of text.split('\n').filter(Boolean)) out.push({ key: o.key, letter: JSON.parse(line) as DeadLetter });
  }
  return out;
}

const hour10 = (offset: number) => orderRecord(0, offset, `2026-11-21T10:${String(10 + offset).padStart(2, '0')}:00Z`, `e${offset}`);

test('the catalogue decides: a non-retryable failure about the rows fails for good; retryable ones and faults of the lake are retried', () => {
  assert.equal(failsForGood(new TukangError('ENCODE_FAILED', 'x')), true);
  assert.equal(failsForGood(new TukangError('S3_UNAVAILABLE', 'x')), false);
  assert.equal(failsForGood(new TukangError('COMMIT_OVERLAP', 'x')), false);
  assert.equal(failsForGood(new TukangError('S3_BUCKET_MISSING', 'x')), false);
  assert.equal(failsForGood(new TukangError('METADATA_CORRUPT', 'x')), false);
  assert.equal(failsForGood(new Error('socket hang up')), false, 'an error without a code is retried');
});

// Regression (issue 10, item 4): flushOwned retried every error forever, ENCODE_FAILED included, so
// one buffer that cannot be encoded held its partition's offsets back for good.
test('a flush failing with ENCODE_FAILED sends its rows to the dead-letter area with their bytes, and the offsets move on', { timeout: 20_000 }, async (t) => {
  const lake = memoryLake(t);
  const encoder = failingEncoder(lake.encoder, 'ENCODE_FAILED');
  const records = [hour10(0), hour10(1), brokenRecord(0, 2), hour10(3)];
  const pipeline = pipelineOver(lake, { encoder, topic: records });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, records, 4);
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 0]]);
  await flushEverything(pipeline);
  await pipeline.tick(); // writes the batch of the broken record
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 4]], 'nothing holds partition 0 back any more');

  const letters = await deadLetters(lake.store);
  const unflushable = letters.filter((l) => l.letter.reason === 'unflushable');
  assert.deepEqual(unflushable.map((l) => l.letter.offset), [0, 1, 3]);
  for (const { letter } of unflushable) {
    assert.equal(Buffer.from(letter.value_base64 ?? '', 'base64').toString('utf8'), records[letter.offset]?.value?.toString('utf8'), 'the original bytes');
    assert.match(letter.message, /^ENCODE_FAILED: /);
  }
  assert.deepEqual(letters.filter((l) => l.letter.reason === 'bad_json').map((l) => l.letter.offset), [2]);
  assert.equal(await readPartitionStates(lake.store, '', 'orders').then((s) => s.length), 0, 'no data file was committed');
  const c = pipeline.counters;
  assert.deepEqual(balance(c), { consumed: 4, accounted: 4 });
  assert.deepEqual({ unflushable: c.rejectedByReason.get('unflushable'), rejected: c.rejected, retries: c.flushRetries, encodes: encoder.calls }, { unflushable: 3, rejected: 4, retries: 0, encodes: 1 });

  // Killed before the offset commit: a restart reads them again and fails again; no letter is written twice.
  const again = pipelineOver(lake, { encoder, topic: records });
  await again.assign(0, 0);
  await again.processBatch(0, records, 4);
  await flushEverything(again);
  await again.tick();
  assert.equal((await deadLetters(lake.store)).length, letters.length);
  assert.deepEqual(balance(again.counters), { consumed: 4, accounted: 4 });
  assert.equal(again.counters.recoveredSkips, 4);
});

test('an unflushable row that Kafka no longer holds still gets a dead letter, which says its bytes are lost', { timeout: 20_000 }, async (t) => {
  const lake = memoryLake(t);
  const encoder = failingEncoder(lake.encoder, 'ENCODE_FAILED');
  const records = [hour10(0), hour10(1), hour10(2)];
  // Retention dropped offset 0 while it was buffered.
  const pipeline = pipelineOver(lake, { encoder, topic: records.slice(1) });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, records, 3);
  await flushEverything(pipeline);
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 3]]);
  const letters = (await deadLetters(lake.store)).map((l) => l.letter).sort((a, b) => a.offset - b.offset);
  assert.deepEqual(letters.map((l) => [l.offset, l.reason, l.value_base64 === null]), [[0, 'unflushable', true], [1, 'unflushable', false], [2, 'unflushable', false]]);
  assert.match(letters[0]?.message ?? '', /^ENCODE_FAILED: .*no longer in Kafka/);
  assert.doesNotMatch(letters[1]?.message ?? '', /no longer in Kafka/);
  assert.equal(Buffer.from(letters[2]?.value_base64 ?? '', 'base64').toString('utf8'), records[2]?.value?.toString('utf8'));
  assert.deepEqual(balance(pipeline.counters), { consumed: 3, accounted: 3 });
});

test('a flush failing with a retryable error is retried and then written', async (t) => {
  const lake = memoryLake(t);
  const waits: number[] = [];
  const encoder = failingEncoder(lake.encoder, 'S3_UNAVAILABLE', 2);
  const pipeline = pipelineOver(lake, { encoder, sleep: async (ms) => void waits.push(ms) });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [hour10(0), hour10(1)], 2);
  await flushEverything(pipeline);
  assert.equal(pipeline.counters.flushRetries, 2);
  assert.equal(waits.length, 2);
  assert.ok((waits[1] as number) > 0 && (waits[0] as number) < 400, `backoff from 200 ms with jitter: ${waits.join(', ')}`);
  const [state] = await readPartitionStates(lake.store, '', 'orders');
  assert.equal(state?.rows, 2);
  assert.equal((await deadLetters(lake.store)).length, 0);
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 2]]);
});

test('a non-retryable fault of the lake (metadata corrupt) is retried, not turned into dead letters', async (t) => {
  const lake = memoryLake(t);
  const pipeline = pipelineOver(lake, { encoder: failingEncoder(lake.encoder, 'METADATA_CORRUPT', 1) });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [hour10(0)], 1);
  await flushEverything(pipeline);
  assert.equal(pipeline.counters.flushRetries, 1);
  assert.equal((await deadLetters(lake.store)).length, 0);
  assert.equal((await readPartitionStates(lake.store, '', 'orders'))[0]?.rows, 1);
});

test('a flush still failing when the pipeline closes keeps holding its offsets back: the commit at shutdown does not pass its rows', async (t) => {
  const lake = memoryLake(t);
  const pipeline = pipelineOver(lake, { encoder: failingEncoder(lake.encoder, 'S3_UNAVAILABLE') });
  await pipeline.assign(0, 0);
  await pipeline.processBatch(0, [hour10(0), hour10(1)], 2);
  pipeline.shedLargest(Number.MAX_SAFE_INTEGER);
  await pipeline.close();
  assert.ok(pipeline.counters.flushRetries >= 2);
  assert.equal((await readPartitionStates(lake.store, '', 'orders')).length, 0, 'nothing was written');
  assert.deepEqual([...pipeline.committableOffsets()], [[0, 0]], 'the unwritten rows are read again by the next run');
});
