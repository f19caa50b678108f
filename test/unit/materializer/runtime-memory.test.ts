import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADVISED_MALLOC_ENV, fetchMaxBytesFor, heapLimitAdvice, missingMallocSettings } from '../../../src/materializer/runtime-memory.js';

const MiB = 1048576;

test('heap limit: advised when it is more than twice the recommended limit (twice the budget plus 64 MiB)', () => {
  assert.equal(heapLimitAdvice(256 * MiB, 576 * MiB), undefined);
  assert.equal(heapLimitAdvice(256 * MiB, 1152 * MiB), undefined);
  assert.deepEqual(heapLimitAdvice(256 * MiB, 6000 * MiB), { heap_limit_mib: 6000, recommended_mib: 576 });
});

test('malloc: on glibc, names every advised variable the environment lacks', () => {
  assert.deepEqual(missingMallocSettings({}, '2.36'), Object.keys(ADVISED_MALLOC_ENV));
  assert.deepEqual(missingMallocSettings({ MALLOC_ARENA_MAX: '4' }, '2.36'), ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']);
  assert.deepEqual(missingMallocSettings({ ...ADVISED_MALLOC_ENV }, '2.36'), []);
});

test('malloc: another allocator (no glibc in the runtime) gets no advice', () => {
  assert.deepEqual(missingMallocSettings({}, undefined), []);
});

test('Kafka fetches: a thirty-second of the budget, between 2 and 32 MiB', () => {
  assert.equal(fetchMaxBytesFor(256 * MiB), 8 * MiB);
  assert.equal(fetchMaxBytesFor(16 * MiB), 2 * MiB);
  assert.equal(fetchMaxBytesFor(4096 * MiB), 32 * MiB);
});
