/**
 * Keeps every dataset's Iceberg table in step with Tukang's commits, off the record path. The
 * commit log tells it which partitions changed (a Set insert); every `commit_interval` each
 * table with changes gets one snapshot, and a completed partition gets one at once. At start,
 * and every `reconcile_interval`, every partition state is compared with the table, so changes
 * whose snapshot a crash (here or in another instance) prevented are carried into the next one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CommitLog } from '../commit/commit-log.js';
import type { CommitListener, PartitionChange } from '../commit/commit-listener.js';
import type { DatasetConfig, TukangConfig } from '../config/schema.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import { describeError, isRetryable, isTukangError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Component } from '../core/component.js';
import { listAll, type ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { TableCommitter, type CommitOutcome } from './table-committer.js';
import { tableLayout } from './table-schema.js';
import { TableStore } from './table-store.js';

const STOP_TIMEOUT_MS = 10_000;

interface TableState {
  committer: TableCommitter;
  pending: Set<string>;
  /** Set when every partition must be compared (start-up, reconcile interval). */
  reconcile: boolean;
  running: Promise<void> | undefined;
  lastCommitMs: number;
}

export interface IcebergCommitterDeps {
  config: TukangConfig;
  datasets: ReadonlyArray<{ dataset: DatasetConfig; schema: ResolvedSchema }>;
  store: ObjectStore;
  layout: LakeLayout;
  logger: Logger;
  clock?: () => number;
}

export class IcebergCommitter implements Component, CommitListener {
  readonly name = 'iceberg';
  private readonly tables = new Map<string, TableState>();
  private readonly settings: TukangConfig['iceberg'];
  private timer: NodeJS.Timeout | undefined;
  private lastReconcileMs = 0;
  private stopped = false;
  /** Outcomes of the snapshots committed, for tests and logs. */
  readonly committed: Array<CommitOutcome & { dataset: string }> = [];

  constructor(private readonly deps: IcebergCommitterDeps) {
    this.settings = deps.config.iceberg;
    const tables = new TableStore(deps.store, deps.layout, deps.config.s3.bucket);
    const commitLog = new CommitLog(deps.store, deps.layout, deps.config.s3.bucket);
    const retention = { maxSnapshots: this.settings.max_snapshots, maxSnapshotAgeMs: this.settings.snapshot_max_age, metadataLogSize: this.settings.metadata_log_size };
    for (const { dataset, schema } of deps.datasets) {
      // A late-data side table has the dataset's schema and layout under its own name.
      const names = dataset.late_data === 'side_table' ? [dataset.name, `${dataset.name}_late`] : [dataset.name];
      for (const name of names) {
        const dataLocation = `s3://${deps.config.s3.bucket}/${deps.layout.partitionDir(name, '').replace(/\/+$/, '')}`;
        const committer = new TableCommitter(name, tableLayout(dataset, schema), dataLocation, deps.store, tables, commitLog, retention, deps.logger, deps.clock);
        this.tables.set(name, { committer, pending: new Set(), reconcile: true, running: undefined, lastCommitMs: 0 });
      }
    }
  }

  partitionChanged(dataset: string, partitionPath: string, change: PartitionChange): void {
    const table = this.tables.get(dataset);
    if (!table) return;
    table.pending.add(partitionPath);
    if (change !== 'file') {
      setImmediate(() => void this.run(table));
    }
  }

  async start(): Promise<void> {
    this.lastReconcileMs = this.now();
    // Ticks at a fraction of the interval so a snapshot follows its interval closely.
    const tickMs = Math.max(100, Math.min(1_000, Math.floor(this.settings.commit_interval / 4)));
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
    this.tick();
  }

  /**
   * Commits what is pending, then stops; gives up after STOP_TIMEOUT_MS (S3 down at shutdown),
   * which loses nothing: the next start reconciles every partition.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const finish = async (): Promise<void> => {
      for (const table of this.tables.values()) await table.running;
      for (const table of this.tables.values()) if (table.pending.size > 0) await this.run(table);
    };
    await Promise.race([finish(), sleep(STOP_TIMEOUT_MS, undefined, { ref: false })]);
    this.stopped = true;
  }

  /** Commits every table now (tests, `tukang` commands); resolves when done. */
  async flush(): Promise<void> {
    for (const table of this.tables.values()) {
      await table.running;
      await this.run(table);
    }
  }

  private tick(): void {
    const now = this.now();
    if (now - this.lastReconcileMs >= this.settings.reconcile_interval) {
      this.lastReconcileMs = now;
      for (const table of this.tables.values()) table.reconcile = true;
    }
    for (const table of this.tables.values()) {
      if (table.reconcile || (table.pending.size > 0 && now - table.lastCommitMs >= this.settings.commit_interval)) void this.run(table);
    }
  }

  private run(table: TableState): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (table.running) return table.running;
    const work = this.commit(table).finally(() => {
      table.running = undefined;
    });
    table.running = work;
    return work;
  }

  private async commit(table: TableState): Promise<void> {
    const dataset = table.committer.dataset;
    const reconcile = table.reconcile;
    const paths = new Set(table.pending);
    table.pending.clear();
    try {
      if (reconcile) for (const p of await this.allPartitions(dataset)) paths.add(p);
      table.reconcile = false;
      if (paths.size === 0) return;
      const outcome = await table.committer.commit([...paths]);
      table.lastCommitMs = this.now();
      if (outcome) {
        this.committed.push({ dataset, ...outcome });
        this.deps.logger.info({ dataset, version: outcome.version, snapshot_id: outcome.snapshotId, operation: outcome.operation, partitions: paths.size }, 'Iceberg snapshot committed');
      }
    } catch (err) {
      table.lastCommitMs = this.now();
      if (!isRetryable(err)) {
        // Trying the same partitions every interval cannot succeed (corrupt metadata, a bug): they
        // leave the queue, and the next reconcile (reconcile_interval, or a restart) compares every
        // partition with the table again, so nothing is lost once the cause is fixed.
        this.deps.logger.error({ dataset, code: isTukangError(err) ? err.code : undefined, err: describeError(err), partitions: paths.size }, 'Iceberg commit failed for a reason that is not retryable; left to the next reconcile');
        return;
      }
      // Nothing is lost: the partitions stay pending and the next tick tries again.
      for (const p of paths) table.pending.add(p);
      if (reconcile) table.reconcile = true;
      this.deps.logger.warn({ dataset, err: describeError(err) }, 'Iceberg commit failed; retrying at the next interval');
    }
  }

  private async allPartitions(dataset: string): Promise<string[]> {
    const prefix = `${this.deps.layout.metaRoot(dataset)}partitions/`;
    const paths: string[] = [];
    for await (const object of listAll(this.deps.store, prefix)) {
      if (object.key.endsWith('/state.json')) paths.push(object.key.slice(prefix.length, -'/state.json'.length));
    }
    return paths;
  }

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }
}
