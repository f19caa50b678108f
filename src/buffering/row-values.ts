import type { CellValue } from '../core/records.js';

/**
 * The data values of buffered rows, column-major per buffer, and of decoded batches waiting for
 * their placements. Whichever thread decodes keeps these (a row worker, or the main thread for
 * the in-process store); the main thread's PartitionBuffer keeps the rest of each row.
 */
export class RowValues {
  private readonly pending = new Map<number, Array<CellValue[] | undefined>>();
  private readonly buffers = new Map<number, CellValue[][]>();

  constructor(private readonly columnCount: number) {}

  /** Keeps a decoded batch's values until `place` says where they go. */
  hold(batchId: number, values: Array<CellValue[] | undefined>): void {
    this.pending.set(batchId, values);
  }

  /** Appends each placed record's values to its buffer's columns (placements < 0 are dropped) and frees the batch. */
  place(batchId: number, placements: Int32Array): void {
    const values = this.pending.get(batchId);
    this.pending.delete(batchId);
    if (values === undefined) return;
    const columnCount = this.columnCount;
    for (let i = 0; i < placements.length; i++) {
      const id = placements[i] as number;
      const row = values[i];
      if (id < 0 || row === undefined) continue;
      let columns = this.buffers.get(id);
      if (columns === undefined) {
        columns = Array.from({ length: columnCount }, (): CellValue[] => []);
        this.buffers.set(id, columns);
      }
      for (let c = 0; c < columnCount; c++) (columns[c] as CellValue[]).push(row[c] as CellValue);
    }
  }

  /** The values of a buffer's rows `order` (indices in the order they were placed), column-major. */
  rows(bufferId: number, order: Uint32Array): CellValue[][] {
    const columns = this.buffers.get(bufferId);
    if (columns === undefined && order.length > 0 && this.columnCount > 0) throw new RangeError(`no rows are held for buffer ${bufferId}`);
    const out: CellValue[][] = [];
    for (let c = 0; c < this.columnCount; c++) {
      const column = (columns as CellValue[][])[c] as CellValue[];
      const picked = new Array<CellValue>(order.length);
      for (let k = 0; k < order.length; k++) {
        const i = order[k] as number;
        if (i >= column.length) throw new RangeError(`buffer ${bufferId} holds ${column.length} rows, not row ${i}`);
        picked[k] = column[i] as CellValue;
      }
      out.push(picked);
    }
    return out;
  }

  free(bufferIds: Iterable<number>): void {
    for (const id of bufferIds) this.buffers.delete(id);
  }

  /** Buffers and batches held (tests, and the worker's own accounting). */
  get held(): { buffers: number; pendingBatches: number } {
    return { buffers: this.buffers.size, pendingBatches: this.pending.size };
  }
}
