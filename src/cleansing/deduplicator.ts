import { encodeKey, fnv1aHash, keyLength, maxKeyBytes, type KeyHash } from './event-id-key.js';
import { DedupLosses, type DedupMark } from './dedup-losses.js';
import { nextSlot, placeSlot, rehashSlots, removeSlot, slotOfOffset } from './id-slots.js';

export type { DedupMark } from './dedup-losses.js';

export interface DeduplicatorOptions {
  /** Memory the index may allocate (its typed arrays); beyond it the oldest ids are evicted. */
  maxBytes?: number;
  /** Tests inject a poor hash to force collisions. */
  hash?: KeyHash;
  /** Told of each evicted id whose event time was still within the window of the newest one. */
  onEvictedInWindow?: () => void;
}

/** Bytes of a record before its key: the event time (a float64; NaN once forgotten). */
const TIME_BYTES = 8;
/** The hash table grows (or, at its byte limit, evicts) above this load. */
const MAX_LOAD = 0.7;
const GROWTH = 1.5;
const MIN_ARENA = 64 * 1024;
const MIN_SLOTS = 1024;

/**
 * Drops the second and later copies of an event id seen within the dedup window (event time).
 *
 * The ids live in two typed arrays outside the V8 heap: a ring arena of records (event time, then
 * the id's compact key from event-id-key.ts, in insertion order) and an open-addressing hash table
 * (linear probing) of (hash, record offset) pairs. A lookup compares the full hash, then the key
 * bytes: a hash collision never makes a false duplicate. For UUIDs a record is 25 bytes; with the
 * table at most 70 % full that is 36–48 bytes per id once the arrays are sized to their final
 * capacity (measured in bench/dedup-index.ts, asserted in the unit test).
 *
 * Bounded by entries and by bytes: the oldest inserted ids are evicted first. Storing an id again
 * (seen beyond the window, or remembered) moves it to the newest end. Event times grow with
 * insertion up to the disorder of the stream, so the oldest inserted is, within that disorder, the
 * oldest in event time: the first to leave the window anyway. A forgotten id's record stays in the
 * ring (marked dead) until the tail passes it or a compaction drops it.
 */
export class Deduplicator {
  private arena: Uint8Array;
  private view: DataView;
  private table: Uint32Array;
  private slots: number;
  private readonly hash: KeyHash;
  private readonly maxBytes: number;
  private scratch = new Uint8Array(256);
  /** `head` is the write position, `tail` the oldest record, `wrapAt` the start of the unused end while the ring has wrapped. */
  private head = 0;
  private tail = 0;
  private wrapAt = 0;
  private wrapped = false;
  /** Records in the ring, live ones, and the bytes of forgotten (dead) ones. */
  private records = 0;
  private live = 0;
  private deadBytes = 0;
  private newestTimeMs = Number.NEGATIVE_INFINITY;
  /** Ids evicted while still inside the window (dedup of them falls back to the commit-time check). */
  evictedInWindow = 0;
  /** Every id lost (evicted, forgotten, replaced), by event time: see DedupLosses. */
  readonly losses: DedupLosses;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
    private readonly options: DeduplicatorOptions = {},
  ) {
    this.losses = new DedupLosses(windowMs);
    this.hash = options.hash ?? fnv1aHash;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.slots = Math.min(MIN_SLOTS, this.slotsFor(maxEntries));
    this.table = new Uint32Array(this.slots * 2);
    this.arena = new Uint8Array(Math.max(64, Math.min(MIN_ARENA, maxEntries * 32, Math.floor(this.maxBytes - this.table.byteLength))));
    this.view = new DataView(this.arena.buffer);
  }

  /** True when `eventId` was seen with an event time within the window; otherwise remembers it. */
  isDuplicate(eventId: string, eventTimeMs: number): boolean {
    const length = this.encode(eventId);
    const h = this.hash(this.scratch, 0, length) >>> 0;
    const slot = this.find(h, length);
    if (slot >= 0) {
      const previous = this.view.getFloat64((this.table[slot * 2 + 1] ?? 1) - 1, true);
      if (Math.abs(eventTimeMs - previous) <= this.windowMs) return true;
      this.kill(slot);
    }
    this.insert(h, length, eventTimeMs);
    return false;
  }

  /** Remembers ids already written (from committed files) without counting them. */
  remember(eventId: string, eventTimeMs: number): void {
    const length = this.encode(eventId);
    const h = this.hash(this.scratch, 0, length) >>> 0;
    const slot = this.find(h, length);
    if (slot >= 0) this.kill(slot);
    this.insert(h, length, eventTimeMs);
  }

  /** Forgets an id whose record was dropped unwritten (a revoked partition's buffer): it may come again. */
  forget(eventId: string): void {
    const length = this.encode(eventId);
    const slot = this.find(this.hash(this.scratch, 0, length) >>> 0, length);
    if (slot >= 0) this.kill(slot);
  }

  get size(): number {
    return this.live;
  }

  /** The current point in this index's history of losses. */
  mark(): DedupMark {
    return this.losses.mark();
  }

  /** Memory the index holds: its arena and hash table. */
  get bytes(): number {
    return this.arena.byteLength + this.table.byteLength;
  }

  private encode(id: string): number {
    if (this.scratch.length < maxKeyBytes(id.length)) this.scratch = new Uint8Array(maxKeyBytes(id.length) * 2);
    return encodeKey(id, this.scratch);
  }

  /** The table slot of the key in the scratch buffer, or -1. */
  private find(h: number, length: number): number {
    const { table, arena, scratch } = this;
    for (let i = h % this.slots; ; i = nextSlot(i, this.slots)) {
      const at = table[i * 2 + 1] ?? 0;
      if (at === 0) return -1;
      if (table[i * 2] !== h) continue;
      const key = at - 1 + TIME_BYTES;
      let j = 0;
      while (j < length && arena[key + j] === scratch[j]) j++;
      if (j === length) return i;
    }
  }

  /** Removes a slot's id: its record stays in the ring as dead bytes. */
  private kill(slot: number): void {
    const offset = (this.table[slot * 2 + 1] ?? 1) - 1;
    this.losses.note(this.view.getFloat64(offset, true));
    this.view.setFloat64(offset, Number.NaN, true);
    this.deadBytes += TIME_BYTES + keyLength(this.arena, offset + TIME_BYTES);
    this.live--;
    removeSlot(this.table, this.slots, slot);
  }

  private insert(h: number, length: number, eventTimeMs: number): void {
    const size = TIME_BYTES + length;
    if (!this.makeRoom(size)) return; // an id larger than the whole index may be: never remembered
    if (!this.wrapped && size > this.arena.length - this.head) {
      this.wrapAt = this.head;
      this.wrapped = true;
      this.head = 0;
    }
    const offset = this.head;
    this.view.setFloat64(offset, eventTimeMs, true);
    const { arena, scratch } = this;
    if (length <= 64) for (let j = 0, to = offset + TIME_BYTES; j < length; j++) arena[to + j] = scratch[j] ?? 0;
    else arena.set(scratch.subarray(0, length), offset + TIME_BYTES);
    this.head += size;
    this.records++;
    this.live++;
    if (eventTimeMs > this.newestTimeMs) this.newestTimeMs = eventTimeMs;
    placeSlot(this.table, this.slots, h, offset);
  }

  /** Evicts, compacts or grows until a record of `size` bytes fits; false when it never can. */
  private makeRoom(size: number): boolean {
    while (this.live >= this.maxEntries && this.records > 0) this.popOldest();
    while (this.live + 1 > this.slots * MAX_LOAD) {
      const slots = Math.min(this.slotsFor(this.maxEntries), Math.ceil(this.slots * GROWTH));
      if (slots > this.slots && this.arena.byteLength + slots * 8 <= this.maxBytes) {
        this.table = rehashSlots(this.table, slots);
        this.slots = slots;
      } else this.popOldest();
    }
    while (!this.fits(size)) {
      if (this.deadBytes > this.arena.length / 4) {
        this.relayout(this.arena.length);
        continue;
      }
      const grown = this.grownArena(size);
      if (grown > this.arena.length) this.relayout(grown);
      else if (this.records > 0) this.popOldest();
      else return false;
    }
    return true;
  }

  private fits(size: number): boolean {
    if (this.records === 0) {
      this.head = this.tail = 0;
      this.wrapped = false;
      return size <= this.arena.length;
    }
    if (this.wrapped) return size <= this.tail - this.head;
    return size <= this.arena.length - this.head || size <= this.tail;
  }

  /** The arena's next capacity: 1.5×, not beyond what `maxEntries` such records need, nor the byte limit. */
  private grownArena(size: number): number {
    const liveBytes = this.usedBytes() - this.deadBytes;
    const perRecord = this.live > 0 ? liveBytes / this.live : size;
    const enough = Math.ceil(this.maxEntries * perRecord * 1.05) + size;
    const wanted = Math.max(this.arena.length + size, Math.min(enough, Math.ceil(this.arena.length * GROWTH)));
    return Math.min(wanted, Math.floor(this.maxBytes - this.table.byteLength));
  }

  private usedBytes(): number {
    if (this.records === 0) return 0;
    return this.wrapped ? this.wrapAt - this.tail + this.head : this.head - this.tail;
  }

  /** Drops the oldest record; a live one is an eviction. */
  private popOldest(): void {
    this.unwrapTail();
    const offset = this.tail;
    const length = keyLength(this.arena, offset + TIME_BYTES);
    const time = this.view.getFloat64(offset, true);
    if (Number.isNaN(time)) this.deadBytes -= TIME_BYTES + length;
    else {
      const h = this.hash(this.arena, offset + TIME_BYTES, length) >>> 0;
      removeSlot(this.table, this.slots, slotOfOffset(this.table, this.slots, h, offset));
      this.live--;
      this.losses.note(time);
      if (time >= this.newestTimeMs - this.windowMs) {
        this.evictedInWindow++;
        this.options.onEvictedInWindow?.();
      }
    }
    this.tail += TIME_BYTES + length;
    this.records--;
    this.unwrapTail();
  }

  /** The tail at the unused end of a wrapped ring continues at the start. */
  private unwrapTail(): void {
    if (!this.wrapped || this.tail < this.wrapAt) return;
    this.tail = 0;
    this.wrapped = false;
  }

  /** Table slots for `entries` ids at the highest load. */
  private slotsFor(entries: number): number {
    return Math.max(8, Math.ceil((entries + 1) / MAX_LOAD));
  }

  /** Copies the live records, oldest first, into a new arena of `capacity` bytes and fixes the table. */
  private relayout(capacity: number): void {
    const old = this.arena;
    this.arena = new Uint8Array(capacity);
    this.view = new DataView(this.arena.buffer);
    if (this.deadBytes === 0) this.moveAll(old);
    else this.compactInto(old);
    this.tail = 0;
    this.wrapped = false;
    this.records = this.live;
    this.deadBytes = 0;
  }

  /** Without dead records: the ring in one or two copies, and each slot's offset shifted to match. */
  private moveAll(old: Uint8Array): void {
    const { tail, wrapAt, table } = this;
    const firstRun = this.wrapped ? wrapAt - tail : this.head - tail;
    this.arena.set(old.subarray(tail, tail + firstRun), 0);
    if (this.wrapped) this.arena.set(old.subarray(0, this.head), firstRun);
    for (let i = 1; i < table.length; i += 2) {
      const at = (table[i] ?? 0) - 1;
      if (at >= 0) table[i] = (at >= tail ? at - tail : at + firstRun) + 1;
    }
    this.head = this.records === 0 ? 0 : firstRun + (this.wrapped ? this.head : 0);
  }

  /** With dead records: the live ones copied one by one, and the table rebuilt from their keys. */
  private compactInto(old: Uint8Array): void {
    const oldView = new DataView(old.buffer, old.byteOffset, old.byteLength);
    this.table.fill(0);
    let to = 0;
    const copy = (from: number, end: number): void => {
      for (let at = from; at < end; ) {
        const size = TIME_BYTES + keyLength(old, at + TIME_BYTES);
        if (!Number.isNaN(oldView.getFloat64(at, true))) {
          this.arena.set(old.subarray(at, at + size), to);
          placeSlot(this.table, this.slots, this.hash(this.arena, to + TIME_BYTES, size - TIME_BYTES) >>> 0, to);
          to += size;
        }
        at += size;
      }
    };
    if (this.wrapped) {
      copy(this.tail, this.wrapAt);
      copy(0, this.head);
    } else copy(this.tail, this.head);
    this.head = to;
  }
}
