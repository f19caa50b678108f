/**
 * A deterministic generator of Nakadi-style order events with a chosen share of duplicates,
 * disorder and malformed records: the sample producer, the end-to-end tests and the benchmark
 * all draw from it, so their inputs are reproducible from a seed.
 */

export interface SampleOptions {
  count: number;
  /** Event time of the first event, epoch ms. */
  startMs: number;
  /** Event-time distance between consecutive events, ms. */
  stepMs: number;
  /** Share of events sent twice (the copy follows within a few events). */
  duplicateRate: number;
  /** Largest backwards jump of event time, ms (disorder within the out-of-orderness bound). */
  disorderMs: number;
  /** Share of records that are not valid events (bad JSON, missing id, wrong types). */
  badRate: number;
  seed: number;
  /** Extra payload characters per event, to reach a target event size. */
  paddingChars: number;
  /**
   * Share of events sent once more with another key, so that the copy usually lands in another
   * source partition (same bytes otherwise). The copy follows at a distance drawn from
   * `crossPartitionDistances`: a few events, or far enough that the first copy's time partition
   * may be complete by then.
   */
  crossPartitionRate?: number;
  /** Largest distances, in events, of the cross-partition copies; one is picked per copy, then a distance up to it. */
  crossPartitionDistances?: readonly number[];
}

export const DEFAULT_SAMPLE: SampleOptions = {
  count: 10_000,
  startMs: Date.UTC(2026, 10, 21, 8, 0, 0),
  stepMs: 1_000,
  duplicateRate: 0.01,
  disorderMs: 20_000,
  badRate: 0,
  seed: 42,
  paddingChars: 0,
  crossPartitionRate: 0,
  crossPartitionDistances: [5, 2_000, 60_000],
};

export interface SampleRecord {
  key: string;
  value: string;
  /** The event id, or null for a malformed record. */
  eventId: string | null;
  eventTimeMs: number | null;
  duplicate: boolean;
  /** A duplicate sent with another key than its original (usually another source partition). */
  crossPartition?: boolean;
}

/** mulberry32: tiny, fast, good enough for test data, and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const STATUSES = ['placed', 'paid', 'shipped', 'cancelled'] as const;
const CURRENCIES = ['EUR', 'USD', 'IDR', 'GBP'] as const;

function eventId(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)] as T;
}

/** Yields the records in send order. Duplicates repeat the same bytes (the bus delivered twice). */
export function* sampleOrderEvents(options: Partial<SampleOptions> = {}): Generator<SampleRecord> {
  const o = { ...DEFAULT_SAMPLE, ...options };
  const random = prng(o.seed);
  const pendingDuplicates: Array<{ at: number; record: SampleRecord }> = [];
  const padding = 'x'.repeat(o.paddingChars);
  for (let n = 0; n < o.count; n++) {
    const r = random();
    const jitter = o.disorderMs > 0 ? Math.floor(random() * o.disorderMs) : 0;
    const timeMs = o.startMs + n * o.stepMs - jitter;
    const id = eventId(n);
    const customer = `c-${Math.floor(random() * 5000)}`;
    let record: SampleRecord;
    if (r < o.badRate) {
      record = malformed(n, random(), id, timeMs, customer);
    } else {
      const event = {
        metadata: { eid: id, occurred_at: new Date(timeMs).toISOString(), event_type: 'sample.order' },
        order_id: `o-${n}`,
        customer_id: customer,
        status: pick(STATUSES, random()),
        amount: Math.round(random() * 100_000) / 100,
        currency: pick(CURRENCIES, random()),
        items: 1 + Math.floor(random() * 9),
        coupon: random() < 0.2 ? `SAVE${Math.floor(random() * 50)}` : null,
        ...(o.paddingChars > 0 ? { note: padding } : {}),
      };
      record = { key: customer, value: JSON.stringify(event), eventId: id, eventTimeMs: timeMs, duplicate: false };
      if (random() < o.duplicateRate) pendingDuplicates.push({ at: n + 1 + Math.floor(random() * 5), record: { ...record, duplicate: true } });
      // Drawn only when asked for, so that the records of existing seeds stay the same.
      if ((o.crossPartitionRate ?? 0) > 0 && random() < (o.crossPartitionRate ?? 0)) {
        const distances = o.crossPartitionDistances ?? [5];
        const longest = distances[Math.floor(random() * distances.length)] ?? 5;
        schedule(pendingDuplicates, n + 1 + Math.floor(random() * longest), { ...record, key: `${customer}~copy`, duplicate: true, crossPartition: true });
      }
    }
    yield record;
    while (pendingDuplicates.length > 0 && (pendingDuplicates[0] as { at: number }).at <= n) {
      yield (pendingDuplicates.shift() as { record: SampleRecord }).record;
    }
  }
  for (const d of pendingDuplicates) yield d.record;
}

/** Inserts after every entry due no later, so that a far copy does not hold back the nearer ones queued after it. */
function schedule(pending: Array<{ at: number; record: SampleRecord }>, at: number, record: SampleRecord): void {
  let i = pending.length;
  while (i > 0 && (pending[i - 1] as { at: number }).at > at) i--;
  pending.splice(i, 0, { at, record });
}

function malformed(n: number, r: number, id: string, timeMs: number, customer: string): SampleRecord {
  const kind = Math.floor(r * 4);
  const base = { key: customer, eventId: null, eventTimeMs: null, duplicate: false };
  if (kind === 0) return { ...base, value: `{"metadata": {"eid": "${id}", "occurred_at": ` };
  if (kind === 1) return { ...base, value: JSON.stringify({ metadata: { occurred_at: new Date(timeMs).toISOString() }, order_id: `o-${n}` }) };
  if (kind === 2) {
    return {
      ...base,
      value: JSON.stringify({ metadata: { eid: id, occurred_at: new Date(timeMs).toISOString() }, order_id: `o-${n}`, customer_id: customer, status: 'paid', amount: 'twelve', currency: 'EUR', items: 1, coupon: null }),
    };
  }
  return { ...base, value: JSON.stringify({ metadata: { eid: id, occurred_at: 'yesterday' }, order_id: `o-${n}` }) };
}
