import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveSchema } from '../../../src/cleansing/schema/resolve-schema.js';
import { TukangError, type ErrorCode } from '../../../src/errors/catalogue.js';
import { IcebergCommitter } from '../../../src/iceberg/iceberg-committer.js';
import { silentLogger } from '../../../src/log/logger.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { catalogConfig } from '../../helpers/catalog-fixture.js';

/** A committer whose every read of a table's version hint fails with `code`; counts the reads. */
function failingCommitter(code: ErrorCode): { committer: IcebergCommitter; reads: () => number } {
  const store = new MemoryObjectStore();
  let reads = 0;
  const get = store.get.bind(store);
  store.get = async (key) => {
    if (!key.endsWith('version-hint.text')) return get(key);
    reads++;
    throw new TukangError(code, `reading ${key} failed`);
  };
  const config = catalogConfig();
  const dataset = config.datasets[0];
  assert.ok(dataset);
  const committer = new IcebergCommitter({ config, datasets: [{ dataset, schema: resolveSchema(dataset) }], store, layout: new LakeLayout(''), logger: silentLogger() });
  return { committer, reads: () => reads };
}

test('an Iceberg commit that failed for a retryable reason is tried again; a non-retryable one is not', async () => {
  const retryable = failingCommitter('S3_UNAVAILABLE');
  retryable.committer.partitionChanged('orders', 'event_date=2026-11-21/event_hour=00', 'file');
  await retryable.committer.flush();
  await retryable.committer.flush();
  assert.equal(retryable.reads(), 2, 'S3_UNAVAILABLE: the partition stays pending and the next commit tries again');

  const corrupt = failingCommitter('METADATA_CORRUPT');
  corrupt.committer.partitionChanged('orders', 'event_date=2026-11-21/event_hour=00', 'file');
  await corrupt.committer.flush();
  await corrupt.committer.flush();
  assert.equal(corrupt.reads(), 1, 'METADATA_CORRUPT: not retried every interval; left to the next reconcile');
});
