/**
 * Compares what the lake holds with what was produced: the "nothing lost, nothing doubled"
 * audit of the failure tests. Reads through the metadata, as a loader would.
 */
import assert from 'node:assert/strict';
import { LINEAGE_COLUMNS } from '../../src/core/records.js';
import type { SampleRecord } from '../../src/sample/order-events.js';
import { listAll, type ObjectStore } from '../../src/storage/object-store.js';
import type { DeadLetter } from '../../src/writing/dead-letter-batch.js';
import { readLake } from './lake-reader.js';

export interface AuditResult {
  rows: number;
  files: number;
  partitions: number;
  deadLetters: number;
  /** The partition states' `duplicates`, summed. */
  duplicates: number;
}

export async function auditLake(store: ObjectStore, root: string, dataset: string, produced: SampleRecord[]): Promise<AuditResult> {
  const lake = await readLake(store, root, dataset);
  const ids = new Map<string, number>();
  const coordinates = new Set<string>();
  let rows = 0;
  for (const partition of lake) {
    for (const file of partition.files) {
      for (const row of file.rows) {
        rows++;
        const id = String(row[LINEAGE_COLUMNS.eventId]);
        ids.set(id, (ids.get(id) ?? 0) + 1);
        const coordinate = `${String(row[LINEAGE_COLUMNS.partition])}/${String(row[LINEAGE_COLUMNS.offset])}`;
        assert.ok(!coordinates.has(coordinate), `source record ${coordinate} is in the lake twice`);
        coordinates.add(coordinate);
      }
    }
  }
  const expected = new Set(produced.filter((r) => r.eventId !== null).map((r) => r.eventId as string));
  const doubled = [...ids].filter(([, n]) => n > 1).map(([id]) => id);
  const lost = [...expected].filter((id) => !ids.has(id));
  const unexpected = [...ids.keys()].filter((id) => !expected.has(id));
  assert.deepEqual({ lost: lost.slice(0, 10), lostCount: lost.length }, { lost: [], lostCount: 0 }, 'events lost');
  assert.deepEqual({ doubled: doubled.slice(0, 10), doubledCount: doubled.length }, { doubled: [], doubledCount: 0 }, 'events doubled');
  assert.deepEqual(unexpected, []);

  const letters: DeadLetter[] = [];
  for await (const object of listAll(store, `${root}_tukang/dead-letters/${dataset}/`)) {
    const body = Buffer.from((await store.get(object.key))?.body ?? []).toString('utf8');
    for (const line of body.split('\n').filter(Boolean)) letters.push(JSON.parse(line) as DeadLetter);
  }
  const letterCoordinates = new Set(letters.map((l) => `${l.partition}/${l.offset}`));
  assert.equal(letterCoordinates.size, letters.length, 'a rejected record is in the dead-letter area twice');
  assert.equal(letters.length, produced.filter((r) => r.eventId === null).length, 'every rejected record is in the dead-letter area');
  // Issue 11, item 4: every record produced is accounted for by the lake, and only once: a row, a
  // duplicate counted in a partition state, or a dead letter.
  const duplicates = lake.reduce((n, p) => n + p.state.duplicates, 0);
  assert.deepEqual({ rows, duplicates, dead_letters: letters.length, total: rows + duplicates + letters.length }, { rows, duplicates: produced.length - rows - letters.length, dead_letters: letters.length, total: produced.length }, 'rows + duplicates + dead letters = records produced');
  return { rows, files: lake.reduce((n, p) => n + p.files.length, 0), partitions: lake.length, deadLetters: letters.length, duplicates };
}
