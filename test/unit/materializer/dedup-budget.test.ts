import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../../src/log/logger.js';
import { shedOverBudget, type BudgetedPipeline } from '../../../src/materializer/memory-budget.js';
import { dedupBytesPerPipeline } from '../../../src/materializer/pipeline-dedup.js';
import { flushEverything, memoryLake, orderRecord, pipelineOver } from '../../helpers/pipeline-driver.js';

// Issue 14: the deduplicator's index is counted in the memory budget, and at its share of the
// budget it evicts its oldest ids instead of growing (counted, and logged once at WARN).

function events(n: number, from = 0): ReturnType<typeof orderRecord>[] {
  return Array.from({ length: n }, (_, i) => orderRecord(0, from + i, `2026-11-21T10:${String(10 + ((from + i) % 40)).padStart(2, '0')}:00Z`, randomUUID()));
}

test("a pipeline reports its dedup index's bytes: what it still holds once every buffer is written", async (t) => {
  const pipeline = pipelineOver(memoryLake(t));
  await pipeline.assign(0, 0);
  const empty = pipeline.dedupBytes();
  await pipeline.processBatch(0, events(5_000), 5_000);
  await flushEverything(pipeline);
  assert.equal(pipeline.bufferedBytes(), 0);
  assert.equal(pipeline.counters.rowsWritten, 5_000, 'every buffer was written');
  const held = pipeline.dedupBytes();
  assert.ok(held > empty && held >= 5_000 * 33, `${held} bytes counted for 5,000 ids in the index`);
  assert.ok(held <= 5_000 * 80, `${held} bytes: the compact index, not ~100+ bytes per id`);
});

test('at its byte share the dedup index evicts its oldest ids: counted, logged once at WARN, and memory stays within the share', async (t) => {
  const lines: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'warn', format: 'json' }, sink);
  const dedupMaxBytes = 96 * 1024;
  const pipeline = pipelineOver(memoryLake(t), { logger, dedupMaxBytes });
  await pipeline.assign(0, 0);
  for (let batch = 0; batch < 4; batch++) {
    await pipeline.processBatch(0, events(2_500, batch * 2_500), (batch + 1) * 2_500);
    await flushEverything(pipeline);
    assert.ok(pipeline.dedupBytes() <= dedupMaxBytes, `${pipeline.dedupBytes()} bytes held by the index, at most its ${dedupMaxBytes}`);
  }
  assert.equal(pipeline.counters.rowsWritten, 10_000, 'no event was dropped as a false duplicate');
  assert.ok(pipeline.counters.dedupEvictedInWindow > 1_000, `${pipeline.counters.dedupEvictedInWindow} ids evicted inside the window`);
  await new Promise((r) => setImmediate(r));
  const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg.includes('dedup index is full'));
  assert.equal(warnings.length, 1, 'logged once, however many ids are evicted');
  assert.equal(warnings[0]?.level, 40);
});

test('the dedup indexes of all datasets share a quarter of the budget', () => {
  assert.equal(dedupBytesPerPipeline(256 * 1048576, 1), 64 * 1048576);
  assert.equal(dedupBytesPerPipeline(256 * 1048576, 4), 16 * 1048576);
});

class FakePipeline implements BudgetedPipeline {
  shedRequests: number[] = [];
  constructor(
    private buffered: number,
    private readonly dedup: number,
  ) {}
  bufferedBytes(): number {
    return this.buffered;
  }
  dedupBytes(): number {
    return this.dedup;
  }
  shedLargest(bytesToFree: number): number {
    this.shedRequests.push(bytesToFree);
    const freed = Math.min(this.buffered, bytesToFree);
    this.buffered -= freed;
    return freed;
  }
}

test('the budget covers buffers and dedup indexes: buffers are shed when both together pass it', () => {
  const within = new FakePipeline(50, 40);
  shedOverBudget([within], 100);
  assert.deepEqual(within.shedRequests, [], '90 bytes of 100: nothing to shed');
  const big = new FakePipeline(50, 30);
  const small = new FakePipeline(10, 20);
  shedOverBudget([small, big], 100);
  assert.deepEqual(big.shedRequests, [40], 'buffers 60 + dedup 50 = 110 over 100: 40 are shed to reach 70, from the largest buffers first');
  assert.deepEqual(small.shedRequests, []);
});
