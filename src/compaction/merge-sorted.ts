import type { CellValue } from '../core/records.js';

/** One row of a data file, as compaction reads and writes it. */
export interface MergeRow {
  /** The dataset's data columns, in schema order. */
  values: CellValue[];
  eventId: string;
  eventTimeMs: number;
  partition: number;
  offset: number;
  receivedAtMs: number;
}

/** The lake's row order (invariant 4): event time, then source partition, then offset. */
export function compareRows(a: MergeRow, b: MergeRow): number {
  return a.eventTimeMs - b.eventTimeMs || a.partition - b.partition || a.offset - b.offset;
}

/**
 * Merges already-sorted row streams into one sorted stream, holding one row per input (the
 * inputs themselves read a row group at a time), so memory does not grow with the partition.
 * A binary heap keyed by each input's current row.
 */
export async function* mergeSorted(inputs: Array<AsyncIterator<MergeRow>>): AsyncGenerator<MergeRow> {
  const heap: Array<{ row: MergeRow; input: AsyncIterator<MergeRow> }> = [];
  const less = (i: number, j: number): boolean => compareRows((heap[i] as { row: MergeRow }).row, (heap[j] as { row: MergeRow }).row) < 0;
  const swap = (i: number, j: number): void => {
    const t = heap[i] as (typeof heap)[number];
    heap[i] = heap[j] as (typeof heap)[number];
    heap[j] = t;
  };
  const up = (start: number): void => {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const input of inputs) {
    const first = await input.next();
    if (!first.done) {
      heap.push({ row: first.value, input });
      up(heap.length - 1);
    }
  }
  while (heap.length > 0) {
    const top = heap[0] as (typeof heap)[number];
    yield top.row;
    const next = await top.input.next();
    if (next.done) {
      const last = heap.pop() as (typeof heap)[number];
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    } else {
      top.row = next.value;
      down(0);
    }
  }
}
