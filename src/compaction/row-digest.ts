import { createHash, type Hash } from 'node:crypto';
import type { CellValue } from '../core/records.js';
import type { MergeRow } from './merge-sorted.js';

/** What compaction compares between its inputs and its outputs before it switches versions. */
export interface DigestValue {
  rows: number;
  /** Order-independent hash of the multiset of event ids (two sums of 32-bit string hashes). */
  event_ids: string;
  /** SHA-256 over every row, in order, serialized canonically. */
  rows_sha256: string;
}

/** Rows serialized per hash update: one update per row costs more than the hashing itself. */
const ROWS_PER_UPDATE = 512;

/**
 * Streaming checksum of a row sequence: count, the set of event ids (as sums of hashes, so it
 * needs no memory per row) and a hash over the rows in order, so a lost, doubled, changed or
 * misordered row changes the digest.
 */
export class RowDigest {
  private rows = 0;
  private idSumA = 0;
  private idSumB = 0;
  private readonly hash: Hash = createHash('sha256');
  private pending: string[] = [];

  add(row: MergeRow): void {
    this.rows++;
    const id = row.eventId;
    this.idSumA = (this.idSumA + stringHash(id, 0x9747b28c)) >>> 0;
    this.idSumB = (this.idSumB + stringHash(id, 0x85ebca6b)) >>> 0;
    let line = `${JSON.stringify(id)},${row.eventTimeMs},${row.partition},${row.offset},${row.receivedAtMs}`;
    for (const v of row.values) line += `,${canonical(v)}`;
    this.pending.push(line);
    if (this.pending.length >= ROWS_PER_UPDATE) this.flush();
  }

  value(): DigestValue {
    this.flush();
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    return { rows: this.rows, event_ids: `${hex(this.idSumA)}${hex(this.idSumB)}`, rows_sha256: this.hash.copy().digest('hex') };
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hash.update(`${this.pending.join('\n')}\n`);
    this.pending = [];
  }
}

/** One value, typed: a string, the number 1 and the bigint 1 serialize differently. */
function canonical(v: CellValue): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v === null ? 'null' : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  }
}

/** Murmur-style 32-bit hash of a string's UTF-16 code units. */
function stringHash(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
