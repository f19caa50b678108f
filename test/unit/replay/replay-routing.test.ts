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
import { readParquetObject } from '../../helpers/lake-reader.js';

const TOPIC = 'orders-topic';

/** Offsets 0..24 of source partition 0, all in hour 0. */
class Bus implements ReplayBus {
  async offsets(): Promise<TopicOffsets[]> {
    return [{ partition: 0, low: 0, high: 25 }];
  }
  async read(topic: string, ranges: ReplayRange[], _all: number[], onRecords: (r: SourceRecord[]) => void): Promise<void> {
    for (const r of ranges) {
      const records: SourceRecord[] = [];
      for (let offset = r.first; offset <= r.last; offset++) {
        const event = { metadata: { eid: `e-${offset}`, occurred_at: new Date(DAY0 + (25 - offset) * 1000).toISOString() }, order_id: `o${offset}` };
        records.push({ topic, partition: r.partition, offset, timestampMs: DAY0, key: null, value: Buffer.from(JSON.stringify(event)) });
      }
      onRecords(records);
    }
  }
}

test('a replay routes like live ingestion: a buffer reaching files.target_rows becomes its own file, each sorted, none overlapping', async (t) => {
  const dataset = parseConfig({
    datasets: [
      {
        name: 'orders',
        topic: TOPIC,
        envelope: { type: 'nakadi' },
        schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }], unknown_fields: 'ignore' },
        limits: { max_past: '3650d' },
        files: { target_rows: 10 },
      },
    ],
  }).datasets[0]!;
  const { store, commitLog, path, deps } = await completeHourToReplay(t, 25);

  const job = await runReplay(deps(dataset, new Bus()), [path]);
  assert.equal(job.status, 'succeeded', job.error ?? '');
  const state = (await commitLog.readPartition('orders', path))?.value;
  assert.deepEqual(state?.files.map((f) => [f.source.first_offset, f.source.last_offset, f.rows]), [[0, 9, 10], [10, 19, 10], [20, 24, 5]]);
  assert.deepEqual({ rows: job.rows_written, files: job.files_written }, { rows: 25, files: 3 });
  for (const f of state?.files ?? []) {
    const { rows } = await readParquetObject(store, f.key);
    const times = rows.map((r) => Number(r['_event_time'] instanceof Date ? (r['_event_time'] as Date).getTime() : r['_event_time']));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), `${f.key} is sorted by event time`);
    assert.match(f.key, /\.r[0-9a-f]{8}\./, 'under a replay name no live file can have');
  }
});
