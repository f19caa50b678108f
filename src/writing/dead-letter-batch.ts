import type { RejectReason, SourceRecord } from '../core/records.js';
import { inRanges } from '../core/offset-ranges.js';

/** One rejected record as it is kept in the dead-letter area (one NDJSON line). */
export interface DeadLetter {
  dataset: string;
  topic: string;
  partition: number;
  offset: number;
  timestamp_at: string;
  received_at: string;
  reason: RejectReason;
  message: string;
  key_base64: string | null;
  value_base64: string | null;
}

/**
 * The rejected records of one source partition waiting to be written. Like a data buffer it
 * covers an offset range and holds the partition's committable offset back until it is durable.
 */
export class DeadLetterBatch {
  private readonly lines: string[] = [];
  private readonly offsets: number[] = [];
  readonly reasons = new Map<RejectReason, number>();
  readonly firstOffset: number;
  private last: number;
  private bytes = 0;

  constructor(
    readonly dataset: string,
    readonly sourcePartition: number,
    firstOffset: number,
  ) {
    this.firstOffset = firstOffset;
    this.last = firstOffset;
  }

  add(record: SourceRecord, reason: RejectReason, message: string, receivedAtMs: number): void {
    const letter: DeadLetter = {
      dataset: this.dataset,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp_at: new Date(record.timestampMs).toISOString(),
      received_at: new Date(receivedAtMs).toISOString(),
      reason,
      message,
      key_base64: record.key ? record.key.toString('base64') : null,
      value_base64: record.value ? record.value.toString('base64') : null,
    };
    const line = JSON.stringify(letter);
    this.lines.push(line);
    this.offsets.push(record.offset);
    this.bytes += line.length;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    if (record.offset > this.last) this.last = record.offset;
  }

  get count(): number {
    return this.lines.length;
  }

  get lastOffset(): number {
    return this.last;
  }

  get approxBytes(): number {
    return this.bytes * 2;
  }

  /**
   * The lines not already written by another owner of this source partition (a previous owner's
   * batch may have landed after this one started), with the offset range they cover.
   */
  remainingAfter(written: ReadonlyArray<{ first: number; last: number }>): { ndjson: string; count: number; first: number; last: number } | undefined {
    const keep: number[] = [];
    for (let i = 0; i < this.offsets.length; i++) {
      const offset = this.offsets[i] as number;
      if (!inRanges(offset, written)) keep.push(i);
    }
    if (keep.length === 0) return undefined;
    const all = keep.length === this.lines.length;
    return {
      ndjson: `${keep.map((i) => this.lines[i]).join('\n')}\n`,
      count: keep.length,
      first: all ? this.firstOffset : (this.offsets[keep[0] as number] as number),
      last: all ? this.last : (this.offsets[keep[keep.length - 1] as number] as number),
    };
  }
}
