/**
 * What the index stores of a partition: the fields a listing shows, the ETag of the state.json
 * they came from. Everything else is derived (id, RFC 3339 bounds) or stays in S3 and the LRU.
 */
export interface PartitionFacts {
  path: string;
  startMs: number;
  endMs: number;
  status: 'open' | 'complete';
  version: number;
  rows: number;
  bytes: number;
  fileCount: number;
  duplicates: number;
  lateRows: number;
  updatedAt: string;
  completedAt: string | null;
  /** ETag of the state.json these facts were read from; a differing ETag in a listing means re-read. */
  etag: string;
}

const START = 0;
const END = 1;
const STATUS = 2;
const VERSION = 3;
const ROWS = 4;
const BYTES = 5;
const FILES = 6;
const DUPLICATES = 7;
const LATE = 8;
const UPDATED = 9;
const COMPLETED = 10;
const STRIDE = 11;
const ETAG_BYTES = 16;
/** A single-part S3 ETag: the quoted MD5 of the body. */
const MD5_ETAG = /^"[0-9a-f]{32}"$/;

/** Epoch ms of an ISO 8601 UTC time when toISOString gives back the same text; NaN otherwise. */
function exactMs(text: string): number {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString() === text ? ms : Number.NaN;
}

/**
 * Partitions by slot, column-major: the numbers in one Float64Array, ETags as 16 MD5 bytes,
 * timestamps as epoch ms. The only heap object a partition adds is its path. The row-of-objects
 * form held ~14 per partition (the entry, its strings, boxed doubles). A mark-compact of a
 * catalog with 100,000 partitions had those ~1.4 million objects to mark on every cycle, and
 * the pauses showed in the listing p99. Text that does not round-trip exactly (a multipart ETag,
 * a time written without milliseconds) is kept as it is, by slot, in a side map.
 */
export class PartitionColumns {
  private numbers = new Float64Array(STRIDE * 64);
  private etags = new Uint8Array(ETAG_BYTES * 64);
  private readonly paths: string[] = [];
  private readonly oddText = new Map<number, { updatedAt?: string; completedAt?: string; etag?: string }>();

  get count(): number {
    return this.paths.length;
  }

  /** Stores the facts in a new slot and returns it. */
  add(facts: PartitionFacts): number {
    const slot = this.paths.length;
    if ((slot + 1) * STRIDE > this.numbers.length) this.grow();
    this.paths.push(facts.path);
    this.set(slot, facts);
    return slot;
  }

  /** Overwrites a slot's facts (the path stays the slot's). */
  set(slot: number, facts: PartitionFacts): void {
    const n = this.numbers;
    const at = slot * STRIDE;
    n[at + START] = facts.startMs;
    n[at + END] = facts.endMs;
    n[at + STATUS] = facts.status === 'complete' ? 1 : 0;
    n[at + VERSION] = facts.version;
    n[at + ROWS] = facts.rows;
    n[at + BYTES] = facts.bytes;
    n[at + FILES] = facts.fileCount;
    n[at + DUPLICATES] = facts.duplicates;
    n[at + LATE] = facts.lateRows;
    const updated = exactMs(facts.updatedAt);
    const completed = facts.completedAt === null ? Number.NaN : exactMs(facts.completedAt);
    n[at + UPDATED] = updated;
    n[at + COMPLETED] = completed;
    const md5 = MD5_ETAG.test(facts.etag);
    if (md5) this.etags.set(Buffer.from(facts.etag.slice(1, -1), 'hex'), slot * ETAG_BYTES);
    const odd = {
      ...(Number.isNaN(updated) ? { updatedAt: facts.updatedAt } : {}),
      ...(facts.completedAt !== null && Number.isNaN(completed) ? { completedAt: facts.completedAt } : {}),
      ...(md5 ? {} : { etag: facts.etag }),
    };
    if (Object.keys(odd).length > 0) this.oddText.set(slot, odd);
    else this.oddText.delete(slot);
  }

  path(slot: number): string {
    return this.paths[slot] as string;
  }

  startMs(slot: number): number {
    return this.numbers[slot * STRIDE + START] as number;
  }

  endMs(slot: number): number {
    return this.numbers[slot * STRIDE + END] as number;
  }

  status(slot: number): 'open' | 'complete' {
    return this.numbers[slot * STRIDE + STATUS] === 1 ? 'complete' : 'open';
  }

  etag(slot: number): string {
    return this.oddText.get(slot)?.etag ?? `"${Buffer.from(this.etags.buffer, slot * ETAG_BYTES, ETAG_BYTES).toString('hex')}"`;
  }

  /** Adds the slot's counts to `into` (totals over an index without building its entries). */
  addCounts(slot: number, into: { rows: number; bytes: number; duplicates: number; lateRows: number }): void {
    const at = slot * STRIDE;
    into.rows += this.numbers[at + ROWS] as number;
    into.bytes += this.numbers[at + BYTES] as number;
    into.duplicates += this.numbers[at + DUPLICATES] as number;
    into.lateRows += this.numbers[at + LATE] as number;
  }

  facts(slot: number): PartitionFacts {
    const n = this.numbers;
    const at = slot * STRIDE;
    const odd = this.oddText.get(slot);
    const completed = n[at + COMPLETED] as number;
    return {
      path: this.path(slot),
      startMs: n[at + START] as number,
      endMs: n[at + END] as number,
      status: this.status(slot),
      version: n[at + VERSION] as number,
      rows: n[at + ROWS] as number,
      bytes: n[at + BYTES] as number,
      fileCount: n[at + FILES] as number,
      duplicates: n[at + DUPLICATES] as number,
      lateRows: n[at + LATE] as number,
      updatedAt: odd?.updatedAt ?? new Date(n[at + UPDATED] as number).toISOString(),
      completedAt: odd?.completedAt ?? (Number.isNaN(completed) ? null : new Date(completed).toISOString()),
      etag: this.etag(slot),
    };
  }

  private grow(): void {
    const numbers = new Float64Array(this.numbers.length * 2);
    numbers.set(this.numbers);
    this.numbers = numbers;
    const etags = new Uint8Array(this.etags.length * 2);
    etags.set(this.etags);
    this.etags = etags;
  }
}
