import { getHeapStatistics } from 'node:v8';
import type { Logger } from '../log/logger.js';

/** The glibc malloc settings docs/architecture.md (Memory) advises, as environment variables. */
export const ADVISED_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/**
 * The most bytes one Kafka fetch may return: a thirty-second of the budget, between 2 MiB (at
 * least one maximal record) and 32 MiB. Responses are outside the budget, and kafkajs joins each
 * one into a single buffer that its records' keys and values are views of, so a response stays
 * resident until the last of its records is handled; with a quarter of the budget (64 MiB asked,
 * 32 MiB at most) peak RSS of the backlog run was 80-100 MiB higher at the same throughput.
 */
export function fetchMaxBytesFor(budgetBytes: number): number {
  return Math.max(2 * 1024 * 1024, Math.min(32 * 1024 * 1024, Math.floor(budgetBytes / 32)));
}

/**
 * The V8 semi-space (MiB) the docs advise for the service. V8's default lets each isolate's young
 * generation grow to 32 MiB (two 16 MiB semi-spaces), the main thread's and each row worker's;
 * 8 MiB semi-spaces still hold a decoded fetch until its rows are columns.
 */
export const ADVISED_SEMI_SPACE_MIB = 8;

/**
 * V8 collects old garbage lazily: with its default limit (a quarter of the machine's memory) the
 * heap grows far past what the buffers need before a major collection. A limit of about twice the
 * budget keeps resident memory near it; that has to be set when Node starts.
 */
export function heapLimitAdvice(budgetBytes: number, heapLimitBytes: number): { heap_limit_mib: number; recommended_mib: number } | undefined {
  const limitMiB = Math.round(heapLimitBytes / 1048576);
  const recommended = Math.round((budgetBytes * 2) / 1048576) + 64;
  return limitMiB > recommended * 2 ? { heap_limit_mib: limitMiB, recommended_mib: recommended } : undefined;
}

/**
 * The advised malloc variables missing from `env`, when the process runs on glibc (`glibcVersion`
 * is what Node's report gives; other allocators ignore the variables). glibc reads them once at
 * process start, so they cannot be set from inside.
 */
export function missingMallocSettings(env: NodeJS.ProcessEnv, glibcVersion: string | undefined): string[] {
  if (!glibcVersion) return [];
  return Object.keys(ADVISED_MALLOC_ENV).filter((name) => env[name] === undefined);
}

/** The runtime's glibc version, when it runs on glibc. */
function glibcVersion(): string | undefined {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: unknown } };
  const version = report.header?.glibcVersionRuntime;
  return typeof version === 'string' ? version : undefined;
}

/** Start-up advice on the process settings that keep resident memory near the budget. */
export function adviseOnMemorySettings(budgetBytes: number, logger: Logger): void {
  const heap = heapLimitAdvice(budgetBytes, getHeapStatistics().heap_size_limit);
  if (heap) logger.warn(heap, `V8 may grow the heap far past the memory budget; start with NODE_OPTIONS="--max-old-space-size=${heap.recommended_mib} --max-semi-space-size=${ADVISED_SEMI_SPACE_MIB}"`);
  const missing = missingMallocSettings(process.env, glibcVersion());
  if (missing.length > 0) {
    const advised = missing.map((name) => `${name}=${ADVISED_MALLOC_ENV[name] ?? ''}`).join(' ');
    logger.info({ missing }, `glibc malloc keeps freed memory resident; starting with ${advised} lowers peak RSS (docs/architecture.md, Memory)`);
  }
}
