import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SourceRecord } from '../../../src/core/records.js';
import { OriginalRecords } from '../../../src/buffering/original-records.js';

const recordArb: fc.Arbitrary<SourceRecord | undefined> = fc.option(
  fc.record({
    key: fc.option(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b))),
    value: fc.option(fc.uint8Array({ maxLength: 3_000 }).map((b) => Buffer.from(b))),
    timestampMs: fc.integer({ min: 0, max: 2 ** 45 }),
  }).map((r) => ({ topic: 't', partition: 0, offset: 0, ...r })),
  { freq: 5 },
).map((r) => r ?? undefined);

test("a buffer's record copies read back as they were added, and are copies", () => {
  fc.assert(
    fc.property(fc.array(recordArb, { maxLength: 300 }), (records) => {
      const kept = new OriginalRecords();
      const expected = records.map((r) => r && { key: r.key && Buffer.from(r.key), value: r.value && Buffer.from(r.value), timestampMs: r.timestampMs });
      for (const r of records) kept.add(r);
      for (const r of records) r?.value?.fill(0); // the Kafka client reuses its fetch buffers
      records.forEach((_, i) => assert.deepEqual(kept.at(i), expected[i], `row ${i}`));
      const data = records.reduce((n, r) => n + (r?.key?.length ?? 0) + (r?.value?.length ?? 0), 0);
      assert.ok(kept.bytes <= 2 * data + 4 * 1024 + 3_040, `${kept.bytes} bytes allocated for ${data} bytes of records`);
    }),
    { seed: 14, numRuns: 100 },
  );
});
