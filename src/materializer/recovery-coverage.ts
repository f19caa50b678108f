import { inRanges } from '../core/offset-ranges.js';

/**
 * After a restart or a rebalance, Kafka's committed offset of a source partition may lag behind
 * what is already durable in S3: a file for one hour can be committed while another hour's
 * buffer, holding older offsets, was not. The records between are read again; this coverage,
 * built from the commit records and dead-letter batches past the committed offset, says which of
 * them are already in the lake so that they are skipped instead of written twice.
 */
export interface CoveredRange {
  first: number;
  last: number;
}

export class RecoveryCoverage {
  /** Per time-partition path: offset ranges already committed as data files. */
  private readonly files = new Map<string, CoveredRange[]>();
  private readonly deadLetters: CoveredRange[] = [];
  private maxLast = -1;

  addFile(partitionPath: string, range: CoveredRange): void {
    const ranges = this.files.get(partitionPath) ?? [];
    ranges.push(range);
    this.files.set(partitionPath, ranges);
    if (range.last > this.maxLast) this.maxLast = range.last;
  }

  addDeadLetters(range: CoveredRange): void {
    this.deadLetters.push(range);
    if (range.last > this.maxLast) this.maxLast = range.last;
  }

  /** Past this offset nothing is covered, and the checks below can be skipped entirely. */
  get lastCoveredOffset(): number {
    return this.maxLast;
  }

  coversFile(partitionPath: string, offset: number): boolean {
    const ranges = this.files.get(partitionPath);
    return ranges !== undefined && inRanges(offset, ranges);
  }

  coversDeadLetter(offset: number): boolean {
    return inRanges(offset, this.deadLetters);
  }
}
