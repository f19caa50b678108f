import { createHash, type Hash } from 'node:crypto';
import type { MergeRow } from './merge-sorted.js';

/** What compaction compares between its inputs and its outputs before it switches versions. */
export interface DigestValue {
  rows: number;
  /** Order-independent hash of the multiset of event ids (sum of their 64-bit hashes, mod 2^64). */
  event_ids: string;
  /** SHA-256 over every row, in order, serialized canonically. */
  rows_sha256: string;
}

const MASK = (1n << 64n) - 1n;

/**
 * Streaming checksum of a row sequence: count, the set of event ids (as a sum of hashes, so
 * it needs no memory per row) and a hash over the rows in order, so a lost, doubled, changed or
 * misordered row changes the digest.
 */
export class RowDigest {
  private rows = 0;
  private idSum = 0n;
  private readonly hash: Hash = createHash('sha256');

  add(row: MergeRow): void {
    this.rows++;
    this.idSum = (this.idSum + createHash('sha256').update(row.eventId).digest().readBigUInt64BE(0)) & MASK;
    this.hash.update(JSON.stringify([row.eventId, row.eventTimeMs, row.partition, row.offset, row.receivedAtMs, row.values], bigintAsText));
    this.hash.update('\n');
  }

  value(): DigestValue {
    return { rows: this.rows, event_ids: this.idSum.toString(16).padStart(16, '0'), rows_sha256: this.hash.copy().digest('hex') };
  }
}

function bigintAsText(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v.toString()}n` : v;
}
