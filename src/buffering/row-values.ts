import type { CellValue } from '../core/records.js';
import type { ResolvedColumn } from '../core/resolved-schema.js';
import { cellsFor, type ColumnCells, type GatheredColumn } from './column-cells.js';

/**
 * The data values of buffered rows, column-major per buffer, and of decoded batches waiting for
 * their placements. Whichever thread decodes keeps these (a row worker, or the main thread for
 * the in-process store); the main thread's PartitionBuffer keeps the rest of each row. Text
 * columns are kept as UTF-8 bytes (column-cells.ts).
 */
export class RowValues {
  private readonly pending = new Map<number, Array<CellValue[] | undefined>>();
  private readonly buffers = new Map<number, ColumnCells[]>();

  constructor(private readonly columns: readonly ResolvedColumn[]) {}

  /** Keeps a decoded batch's values until `place` says where they go. */
  hold(batchId: number, values: Array<CellValue[] | undefined>): void {
    this.pending.set(batchId, values);
  }

  /** Appends each placed record's values to its buffer's columns (placements < 0 are dropped) and frees the batch. */
  place(batchId: number, placements: Int32Array): void {
    const values = this.pending.get(batchId);
    this.pending.delete(batchId);
    if (values === undefined) return;
    const columnCount = this.columns.length;
    for (let i = 0; i < placements.length; i++) {
      const id = placements[i] as number;
      const row = values[i];
      if (id < 0 || row === undefined) continue;
      let columns = this.buffers.get(id);
      if (columns === undefined) {
        columns = this.columns.map(cellsFor);
        this.buffers.set(id, columns);
      }
      for (let c = 0; c < columnCount; c++) (columns[c] as ColumnCells).push(row[c] as CellValue);
    }
  }

  /** The values of a buffer's rows `order` (indices in the order they were placed), column-major. */
  rows(bufferId: number, order: Uint32Array): GatheredColumn[] {
    const columns = this.buffers.get(bufferId);
    if (columns === undefined) {
      if (order.length > 0 && this.columns.length > 0) throw new RangeError(`no rows are held for buffer ${bufferId}`);
      return this.columns.map(() => []);
    }
    return columns.map((cells) => cells.gather(order, `buffer ${bufferId}`));
  }

  free(bufferIds: Iterable<number>): void {
    for (const id of bufferIds) this.buffers.delete(id);
  }

  /** Buffers and batches held (tests, and the worker's own accounting). */
  get held(): { buffers: number; pendingBatches: number } {
    return { buffers: this.buffers.size, pendingBatches: this.pending.size };
  }
}
