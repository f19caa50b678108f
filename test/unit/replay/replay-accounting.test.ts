import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/load.js';
import { CommitLog } from '../../../src/commit/commit-log.js';
import type { SourceRecord } from '../../../src/core/records.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { ReplayBus, TopicOffsets } from '../../../src/replay/replay-bus.js';
import { runReplay } from '../../../src/replay/replay-runner.js';
import { ReplayStore } from '../../../src/replay/replay-store.js';
import type { ReplayRange } from '../../../src/replay/replay-types.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../../../src/writing/parquet/encoder-pool.js';
import { DAY0 } from '../../helpers/catalog-fixture.js';
import { completeHourToReplay } from '../../helpers/replay-lake.js';

const TOPIC = 'orders-topic';
const dataset = parseConfig({
  datasets: [
    {
      name: 'orders',
      topic: TOPIC,
      envelope: { type: 'nakadi' },
      schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }], unknown_fields: 'ignore' },
      limits: { max_past: '3650d' },
    },
  ],
}).datasets[0]!;

/** Offsets 0..59 of source partition 0, hour 0: offsets 50..59 repeat the ids of 0..9 (the bus delivered twice); offset 30 is not JSON. */
class DuplicatingBus implements ReplayBus {
  async offsets(): Promise<TopicOffsets[]> {
    return [{ partition: 0, low: 0, high: 60 }];
  }
  async read(topic: string, ranges: ReplayRange[], _all: number[], onRecords: (r: SourceRecord[]) => void): Promise<void> {
    for (const r of ranges) {
      const records: SourceRecord[] = [];
      for (let offset = r.first; offset <= r.last; offset++) {
        const n = offset >= 50 ? offset - 50 : offset;
        const event = { metadata: { eid: `e-${n}`, occurred_at: new Date(DAY0 + n * 1000).toISOString() }, order_id: `o${n}` };
        const value = offset === 30 ? '{"broken' : JSON.stringify(event);
        records.push({ topic, partition: r.partition, offset, timestampMs: DAY0, key: null, value: Buffer.from(value) });
      }
      onRecords(records);
    }
  }
}

// Regression (issue 11, item 4): a replayed version recorded `duplicates: 0` although the replay
// dropped duplicates, so its rows + duplicates no longer added up to the records it consumed.
test('a replayed version records the duplicates the replay dropped: rows + duplicates + rejected = records read', async (t) => {
  const { store, commitLog, path, deps } = await completeHourToReplay(t, 60);

  const job = await runReplay(deps(dataset, new DuplicatingBus()), [path]);
  assert.equal(job.status, 'succeeded', job.error ?? '');
  const state = (await commitLog.readPartition('orders', path))?.value;
  assert.equal(state?.version, 2);
  assert.deepEqual({ rows: state?.rows, duplicates: state?.duplicates, job_duplicates: job.duplicates, rejected: job.rejected }, { rows: 49, duplicates: 10, job_duplicates: 10, rejected: 1 });
  assert.equal((state?.rows ?? 0) + (state?.duplicates ?? 0) + job.rejected, job.records_read);
  assert.equal(state?.files.reduce((n, f) => n + f.duplicates, 0), 10, 'the files carry it too (the version total is their sum)');
});
