import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DatasetCounters } from '../materializer/dataset-counters.js';
import type { LakeCatalog } from './lake/lake-catalog.js';

/** Pipeline counters as Prometheus counters: name, help, and how to read one from DatasetCounters. */
const PIPELINE_COUNTERS: Array<[string, string, (c: DatasetCounters) => number]> = [
  ['tukang_records_consumed_total', 'Kafka records consumed since start-up.', (c) => c.consumed],
  ['tukang_rows_written_total', 'Rows written to committed files since start-up.', (c) => c.rowsWritten],
  ['tukang_bytes_written_total', 'Bytes of committed Parquet files since start-up.', (c) => c.bytesWritten],
  ['tukang_files_written_total', 'Committed Parquet files since start-up.', (c) => c.filesWritten],
  ['tukang_duplicates_total', 'Records dropped as duplicates since start-up.', (c) => c.duplicates],
  ['tukang_late_rows_total', 'Rows committed after their partition was complete, since start-up.', (c) => c.lateRows],
  ['tukang_recovered_skips_total', 'Records read again after a restart that were already durable.', (c) => c.recoveredSkips],
  ['tukang_early_flushes_total', 'Buffers flushed early under the memory budget.', (c) => c.earlyFlushes],
  ['tukang_dedup_evicted_in_window_total', 'Event ids the dedup index evicted at its memory limit while still inside the dedup window.', (c) => c.dedupEvictedInWindow],
  ['tukang_flush_retries_total', 'Flush attempts retried after an error.', (c) => c.flushRetries],
  ['tukang_dead_letter_batches_total', 'Dead-letter batches written.', (c) => c.deadLetterBatches],
  ['tukang_partitions_completed_total', 'Partitions this instance marked complete.', (c) => c.partitionsCompleted],
  ['tukang_compactions_started_total', 'Partition compactions started.', (c) => c.compactionsStarted],
  ['tukang_compactions_total', 'Partitions compacted into a new version (reason compaction).', (c) => c.compactions],
  ['tukang_compaction_failures_total', 'Compactions that failed (the old version stays; retried).', (c) => c.compactionFailures],
  ['tukang_compacted_files_in_total', 'Files that compactions replaced.', (c) => c.compactedFilesIn],
  ['tukang_compacted_files_out_total', 'Files that compactions wrote.', (c) => c.compactedFilesOut],
  ['tukang_compacted_rows_total', 'Rows rewritten by compactions.', (c) => c.compactedRows],
];

export interface CatalogMetrics {
  registry: Registry;
  /** Counts and times every request, labelled by the route template (not the raw URL: bounded cardinality). */
  middleware(req: Request, res: Response, next: NextFunction): void;
}

/**
 * One registry per app (tests build many apps in one process; the global registry would clash).
 * Counters are read from the materializer at scrape time, so the hot path pays nothing for them.
 */
export function createMetrics(lake: LakeCatalog, live: ReadonlyMap<string, DatasetCounters> | undefined): CatalogMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  for (const [name, help, read] of PIPELINE_COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ['dataset'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [dataset, counters] of live ?? []) this.inc({ dataset }, read(counters));
      },
    });
  }
  new Counter({
    name: 'tukang_rejected_total',
    help: 'Records sent to the dead-letter area since start-up, by reason.',
    labelNames: ['dataset', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [dataset, counters] of live ?? []) for (const [reason, n] of counters.rejectedByReason) this.inc({ dataset, reason }, n);
    },
  });
  new Gauge({
    name: 'tukang_lake_partitions',
    help: 'Partitions in the lake, by status (from the catalog index).',
    labelNames: ['dataset', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of lake.configs) {
        const totals = (await lake.index(d.name).catch(() => undefined))?.totals();
        if (!totals) continue;
        this.set({ dataset: d.name, status: 'complete' }, totals.complete);
        this.set({ dataset: d.name, status: 'open' }, totals.open);
      }
    },
  });

  const requests = new Counter({ name: 'tukang_catalog_requests_total', help: 'Catalog HTTP requests.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'tukang_catalog_request_duration_seconds',
    help: 'Catalog HTTP request duration.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  return {
    registry,
    middleware(req, res, next) {
      const end = duration.startTimer();
      res.on('finish', () => {
        const route = typeof res.locals['route'] === 'string' ? res.locals['route'] : 'unmatched';
        end({ method: req.method, route });
        requests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    },
  };
}
