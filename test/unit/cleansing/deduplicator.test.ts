import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { Deduplicator, type DeduplicatorOptions } from '../../../src/cleansing/deduplicator.js';
import { LruDeduplicator } from '../../helpers/lru-deduplicator.js';

const WINDOW = 1_000;

type Op = { kind: 'check' | 'remember'; id: string; time: number } | { kind: 'forget'; id: string };

/** Ids of every key form: lower/upper/mixed-case UUIDs, short and long ASCII, non-ASCII, lone surrogates. */
const UUIDS = Array.from({ length: 12 }, (_, i) => `${i.toString(16).padStart(8, '0')}-ab${i}c-4d5e-8f90-${'0123456789ab'.slice(i)}${'c'.repeat(i)}`);
const IDS = [
  ...UUIDS,
  ...UUIDS.slice(0, 4).map((u) => u.toUpperCase()),
  'ABcdef12-3456-7890-abcd-ef1234567890',
  'abcdef12-3456-7890-abcd-ef1234567890',
  'abcdef12-3456-7890-abcd-ef123456789g',
  'a',
  'b',
  '',
  'x'.repeat(300),
  'x'.repeat(301),
  'é',
  'e\u0301',
  '\ud800',
  '\udc00',
  '\ud83d\ude00',
];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant<'check'>('check'), id: fc.constantFrom(...IDS), time: fc.integer({ min: 0, max: 5_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant<'remember'>('remember'), id: fc.constantFrom(...IDS), time: fc.integer({ min: 0, max: 5_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant<'forget'>('forget'), id: fc.constantFrom(...IDS) }) },
);

interface DedupLike {
  isDuplicate(id: string, time: number): boolean;
  remember(id: string, time: number): void;
  forget(id: string): void;
  readonly size: number;
}

/** The index's documented semantics in a few lines: a Map in insertion order, oldest evicted first. */
class InsertionOrderModel implements DedupLike {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxEntries: number) {}
  isDuplicate(id: string, time: number): boolean {
    const previous = this.seen.get(id);
    if (previous !== undefined && Math.abs(time - previous) <= WINDOW) return true;
    this.remember(id, time);
    return false;
  }
  remember(id: string, time: number): void {
    this.seen.delete(id);
    this.seen.set(id, time);
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= this.maxEntries) break;
      this.seen.delete(oldest);
    }
  }
  forget(id: string): void {
    this.seen.delete(id);
  }
  get size(): number {
    return this.seen.size;
  }
}

function apply(d: DedupLike, op: Op): boolean | undefined {
  if (op.kind === 'check') return d.isDuplicate(op.id, op.time);
  if (op.kind === 'remember') d.remember(op.id, op.time);
  else d.forget(op.id);
  return undefined;
}

function sameAnswers(ops: Op[], index: Deduplicator, reference: DedupLike): void {
  ops.forEach((op, i) => {
    assert.equal(apply(index, op), apply(reference, op), `op ${i}: ${JSON.stringify(op)}`);
    assert.equal(index.size, reference.size, `size after op ${i}`);
  });
}

const collidingHash = (): number => 7;

test('with room for every id: the same answers as the lru-cache deduplicator, with windows, remember and forget', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => sameAnswers(ops, new Deduplicator(WINDOW, 1_000), new LruDeduplicator(WINDOW, 1_000))),
    { seed: 14, numRuns: 300 },
  );
});

test('every hash colliding changes no answer: equality is decided by the stored id bytes', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => sameAnswers(ops, new Deduplicator(WINDOW, 1_000, { hash: collidingHash }), new LruDeduplicator(WINDOW, 1_000))),
    { seed: 15, numRuns: 200 },
  );
});

test('bounded by entries: the oldest stored id is evicted first, with or without collisions', () => {
  for (const options of [{}, { hash: collidingHash }] satisfies DeduplicatorOptions[]) {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(opArb, { maxLength: 400 }), (max, ops) => sameAnswers(ops, new Deduplicator(WINDOW, max, options), new InsertionOrderModel(max))),
      { seed: 16, numRuns: 300 },
    );
  }
});

test('the ring wraps, compacts forgotten records and grows without changing an answer', () => {
  // Many distinct ids of varied lengths through a small index: the arena wraps and grows many times.
  const ids = Array.from({ length: 3_000 }, (_, i) => (i % 3 === 0 ? randomUUID() : `id-${i}-${'z'.repeat(i % 400)}`));
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ kind: fc.constantFrom<'check' | 'remember' | 'forget'>('check', 'check', 'check', 'remember', 'forget', 'forget'), i: fc.nat({ max: ids.length - 1 }), time: fc.integer({ min: 0, max: 3_000 }) }),
        { minLength: 500, maxLength: 3_000 },
      ),
      fc.integer({ min: 50, max: 2_000 }),
      (raw, max) => {
        const ops = raw.map((r): Op => (r.kind === 'forget' ? { kind: 'forget', id: ids[r.i] ?? '' } : { kind: r.kind, id: ids[r.i] ?? '', time: r.time }));
        sameAnswers(ops, new Deduplicator(WINDOW, max), new InsertionOrderModel(max));
      },
    ),
    { seed: 17, numRuns: 40 },
  );
});

test('the old behaviour holds: within the window only, and the least recently stored id goes first', () => {
  const d = new Deduplicator(60_000, 3);
  assert.equal(d.isDuplicate('a', 1_000), false);
  assert.equal(d.isDuplicate('a', 50_000), true);
  assert.equal(d.isDuplicate('a', 200_000), false, 'outside the window it is a new event');
  for (const id of ['b', 'c', 'd']) d.isDuplicate(id, 0);
  assert.equal(d.isDuplicate('a', 200_000), false, 'a was evicted');
  d.forget('d');
  assert.equal(d.isDuplicate('d', 0), false, 'a forgotten id comes again as new');
});

test('bytes per UUID id, at the full capacity: at most 48', () => {
  const entries = 200_000;
  const d = new Deduplicator(3_600_000, entries);
  for (let i = 0; i < entries; i++) d.isDuplicate(randomUUID(), i);
  assert.equal(d.size, entries);
  const perEntry = d.bytes / entries;
  assert.ok(perEntry <= 48, `${perEntry.toFixed(1)} bytes per entry`);
  assert.ok(perEntry >= 25 + 8, `the reported figure covers at least a record and a table slot (${perEntry.toFixed(1)})`);
});

test('bounded by bytes: the index never allocates past maxBytes, and counts ids evicted inside the window', () => {
  let told = 0;
  const maxBytes = 512 * 1024;
  const d = new Deduplicator(3_600_000, 2_000_000, { maxBytes, onEvictedInWindow: () => told++ });
  const ids: string[] = [];
  for (let i = 0; i < 50_000; i++) {
    const id = randomUUID();
    ids.push(id);
    assert.equal(d.isDuplicate(id, i), false);
    assert.ok(d.bytes <= maxBytes, `${d.bytes} bytes after ${i + 1} ids`);
  }
  assert.ok(d.size < 50_000 && d.size >= maxBytes / 48, `${d.size} ids kept in ${maxBytes} bytes: at most 48 bytes per id at the limit too`);
  assert.equal(d.evictedInWindow, 50_000 - d.size, 'every eviction was of an id inside the 1-hour window');
  assert.equal(told, d.evictedInWindow);
  assert.equal(d.isDuplicate(ids[ids.length - 1] ?? '', 50_000), true, 'the newest ids are kept');
  assert.equal(d.isDuplicate(ids[0] ?? '', 50_000), false, 'the oldest went first');
});

test('an eviction outside the window is not counted', () => {
  const d = new Deduplicator(10, 2);
  d.isDuplicate('a', 0);
  d.isDuplicate('b', 100);
  d.isDuplicate('c', 105);
  assert.equal(d.evictedInWindow, 0, 'a was 105 ms older than the newest, beyond the 10 ms window');
  d.isDuplicate('d', 106);
  assert.equal(d.evictedInWindow, 1, 'b was 6 ms older than the newest');
});
