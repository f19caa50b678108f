/**
 * Micro-benchmark of the deduplicator: the compact index (src/cleansing/deduplicator.ts) against
 * the lru-cache version it replaced (test/helpers/lru-deduplicator.ts), on UUID ids with 1 %
 * duplicates, as in the backlog run. Reports ns per isDuplicate and memory per id (the index's own
 * byte count, and what the process measured: heap for lru-cache, array buffers for the index).
 * Not part of the tests. Run: npx tsc -p tsconfig.json && node --expose-gc dist/bench/dedup-index.js [ids] [maxEntries]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Deduplicator } from '../src/cleansing/deduplicator.js';
import { LruDeduplicator } from '../test/helpers/lru-deduplicator.js';

const IDS = Number(process.argv[2] ?? 1_000_000);
const MAX_ENTRIES = Number(process.argv[3] ?? 2_000_000);
const WINDOW = 3_600_000;

interface Dedup {
  isDuplicate(id: string, timeMs: number): boolean;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

/** A stream of fresh id strings, every hundredth a copy of an id 50–5,000 events earlier. */
function stream(n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const back = i > 5_000 && i % 100 === 0 ? 50 + ((i * 7919) % 4_950) : 0;
    ids.push(back > 0 ? (ids[i - back] ?? '') : randomUUID());
  }
  // Fresh flat strings, one per record, as JSON.parse gives the pipeline (copies are new strings too).
  return JSON.parse(JSON.stringify(ids)) as string[];
}

function run(name: string, make: () => Dedup, bytesOf: (d: Dedup) => number | undefined): void {
  collect();
  const before = process.memoryUsage();
  const ids = stream(IDS);
  const d = make();
  let duplicates = 0;
  const started = performance.now();
  for (let i = 0; i < ids.length; i++) if (d.isDuplicate(ids[i] ?? '', i)) duplicates++;
  const ms = performance.now() - started;
  ids.length = 0; // what remains is what the deduplicator holds (lru-cache: also the id strings)
  collect();
  const after = process.memoryUsage();
  const heap = after.heapUsed - before.heapUsed;
  const buffers = after.arrayBuffers - before.arrayBuffers;
  const own = bytesOf(d);
  console.log(
    `${name.padEnd(14)} ${((ms * 1e6) / IDS).toFixed(0).padStart(5)} ns/lookup  ${duplicates} duplicates  ` +
      `heap +${(heap / IDS).toFixed(1)} B/id, array buffers +${(buffers / IDS).toFixed(1)} B/id` +
      (own === undefined ? '' : `, reported ${(own / IDS).toFixed(1)} B/id (${(own / 1048576).toFixed(1)} MiB)`),
  );
}

console.log(`${IDS.toLocaleString('en')} UUID ids, maxEntries ${MAX_ENTRIES.toLocaleString('en')}, Node ${process.version}`);
for (let round = 0; round < 2; round++) {
  run('lru-cache', () => new LruDeduplicator(WINDOW, MAX_ENTRIES), () => undefined);
  run('compact index', () => new Deduplicator(WINDOW, MAX_ENTRIES), (d) => (d as Deduplicator).bytes);
}
