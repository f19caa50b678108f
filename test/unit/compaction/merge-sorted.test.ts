import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRows, mergeSorted, type MergeRow } from '../../../src/compaction/merge-sorted.js';
import { RowDigest } from '../../../src/compaction/row-digest.js';
import { prng } from '../../../src/sample/order-events.js';

function row(eventTimeMs: number, partition: number, offset: number): MergeRow {
  return { values: [`v${partition}-${offset}`], eventId: `e${partition}-${offset}`, eventTimeMs, partition, offset, receivedAtMs: 0 };
}

async function* stream(rows: MergeRow[]): AsyncGenerator<MergeRow> {
  yield* rows;
}

async function collect(inputs: MergeRow[][]): Promise<MergeRow[]> {
  const out: MergeRow[] = [];
  for await (const r of mergeSorted(inputs.map((rows) => stream(rows)[Symbol.asyncIterator]()))) out.push(r);
  return out;
}

test('merging sorted files gives every row once, in (event time, source partition, offset) order', async () => {
  const random = prng(7);
  const inputs: MergeRow[][] = [];
  for (let f = 0; f < 9; f++) {
    const rows = Array.from({ length: Math.floor(random() * 300) }, (_, i) => row(Math.floor(random() * 1_000), f % 3, f * 1_000 + i));
    inputs.push(rows.sort(compareRows));
  }
  inputs.push([]);
  const merged = await collect(inputs);
  const expected = inputs.flat().sort(compareRows);
  assert.deepEqual(merged, expected);
});

test('ties in event time are ordered by source partition, then offset', async () => {
  const merged = await collect([[row(5, 2, 1), row(6, 0, 9)], [row(5, 0, 7), row(5, 1, 3)], [row(5, 0, 2)]]);
  assert.deepEqual(
    merged.map((r) => `${r.eventTimeMs}/${r.partition}/${r.offset}`),
    ['5/0/2', '5/0/7', '5/1/3', '5/2/1', '6/0/9'],
  );
});

test('the row digest changes when a row is lost, doubled, changed or moved', () => {
  const digest = (rows: MergeRow[]): string => {
    const d = new RowDigest();
    for (const r of rows) d.add(r);
    return JSON.stringify(d.value());
  };
  const rows = [row(1, 0, 1), row(2, 0, 2), row(3, 1, 1)];
  const base = digest(rows);
  assert.equal(digest([...rows]), base);
  assert.notEqual(digest(rows.slice(1)), base, 'lost');
  assert.notEqual(digest([...rows, rows[2] as MergeRow]), base, 'doubled');
  assert.notEqual(digest([rows[0] as MergeRow, { ...(rows[1] as MergeRow), values: ['changed'] }, rows[2] as MergeRow]), base, 'changed');
  assert.notEqual(digest([rows[1] as MergeRow, rows[0] as MergeRow, rows[2] as MergeRow]), base, 'moved');
});
