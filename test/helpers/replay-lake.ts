import type { TestContext } from 'node:test';
import { CommitLog } from '../../src/commit/commit-log.js';
import type { DatasetConfig } from '../../src/config/schema.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ReplayBus } from '../../src/replay/replay-bus.js';
import type { ReplayDeps } from '../../src/replay/replay-runner.js';
import { ReplayStore } from '../../src/replay/replay-store.js';
import { MemoryObjectStore } from '../../src/storage/memory-object-store.js';
import { ParquetEncoderPool } from '../../src/writing/parquet/encoder-pool.js';
import { DAY0, commitFile, hourPath } from './catalog-fixture.js';

/**
 * An in-memory lake whose hour DAY0 of `orders` is complete with `rows` rows from offsets 0.. of
 * source partition 0, ready to be replayed: `deps(dataset, bus)` are runReplay's dependencies.
 */
export async function completeHourToReplay(t: TestContext, rows: number) {
  const store = new MemoryObjectStore();
  const layout = new LakeLayout('');
  const commitLog = new CommitLog(store, layout, 'lake');
  const encoder = new ParquetEncoderPool(1);
  t.after(() => encoder.close());
  await commitFile(store, commitLog, { startMs: DAY0, partition: 0, first: 0, rows });
  const path = hourPath(DAY0);
  await commitLog.completePartition('orders', path);
  const deps = (dataset: DatasetConfig, bus: ReplayBus): ReplayDeps => ({ dataset, bus, store, commitLog, layout, replays: new ReplayStore(store, layout), encoder, logger: silentLogger() });
  return { store, layout, commitLog, path, deps };
}
