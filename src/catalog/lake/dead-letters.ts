import { LRUCache } from 'lru-cache';
import type { RejectReason } from '../../core/records.js';
import { LakeLayout } from '../../lake/lake-layout.js';
import { listAll, type ObjectInfo, type ObjectStore } from '../../storage/object-store.js';
import type { DeadLetter } from '../../writing/dead-letter-batch.js';

export interface DeadLetterCounts {
  total: number;
  by_reason: Partial<Record<RejectReason, number>>;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  /** Where the next page starts, or undefined on the last page. */
  next: { object: string; line: number } | undefined;
}

/**
 * Reads the dead-letter area of a dataset (NDJSON batches, named by source coordinates and never
 * changed once written). Parsed batches are cached by key and ETag; the listing of batches is
 * reused for `ttlMs`, so counts cost S3 reads only for new batches.
 */
export class DeadLetterReader {
  private readonly batches = new LRUCache<string, DeadLetter[]>({ maxSize: 200_000, sizeCalculation: (letters) => Math.max(1, letters.length) });
  private readonly listings: LRUCache<string, ObjectInfo[]>;

  constructor(
    private readonly store: ObjectStore,
    private readonly root: string,
    ttlMs: number,
  ) {
    this.listings = new LRUCache({ max: 1_000, ttl: ttlMs });
  }

  prefix(dataset: string): string {
    return new LakeLayout(this.root).deadLetters(dataset);
  }

  async counts(dataset: string): Promise<DeadLetterCounts> {
    const counts: DeadLetterCounts = { total: 0, by_reason: {} };
    for (const object of await this.list(dataset)) {
      for (const letter of await this.read(object)) {
        counts.total++;
        counts.by_reason[letter.reason] = (counts.by_reason[letter.reason] ?? 0) + 1;
      }
    }
    return counts;
  }

  /** Letters in key order (topic, source partition, offsets), from a position, optionally of one reason. */
  async page(dataset: string, from: { object: string; line: number } | undefined, reason: RejectReason | undefined, limit: number): Promise<DeadLetterPage> {
    const prefix = this.prefix(dataset);
    const items: DeadLetter[] = [];
    for (const object of await this.list(dataset)) {
      const name = object.key.slice(prefix.length);
      if (from && name < from.object) continue;
      const letters = await this.read(object);
      for (let line = from && name === from.object ? from.line : 0; line < letters.length; line++) {
        const letter = letters[line] as DeadLetter;
        if (reason !== undefined && letter.reason !== reason) continue;
        if (items.length === limit) return { items, next: { object: name, line } };
        items.push(letter);
      }
    }
    return { items, next: undefined };
  }

  private async list(dataset: string): Promise<ObjectInfo[]> {
    let objects = this.listings.get(dataset);
    if (!objects) {
      objects = [];
      for await (const object of listAll(this.store, this.prefix(dataset))) if (object.key.endsWith('.ndjson')) objects.push(object);
      this.listings.set(dataset, objects);
    }
    return objects;
  }

  private async read(object: ObjectInfo): Promise<DeadLetter[]> {
    const key = `${object.key}@${object.etag}`;
    let letters = this.batches.get(key);
    if (!letters) {
      const body = await this.store.get(object.key);
      letters = body
        ? Buffer.from(body.body)
            .toString('utf8')
            .split('\n')
            .filter((line) => line.length > 0)
            .map((line) => JSON.parse(line) as DeadLetter)
        : [];
      this.batches.set(key, letters);
    }
    return letters;
  }
}
