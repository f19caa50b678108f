import { describeError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import { listAll } from '../storage/object-store.js';
import { compactPartition, needsCompaction, type CompactionDeps } from './compact-partition.js';

/** What the compactor counts (the dataset's counters, which metrics export). */
export interface CompactionCounters {
  compactionsStarted: number;
  compactions: number;
  compactionFailures: number;
  compactedFilesIn: number;
  compactedFilesOut: number;
  compactedRows: number;
}

/**
 * Compacts one dataset's partitions in the background of the service, one at a time (the
 * encoder workers are shared with live ingestion). A request is recorded in S3 before it is
 * queued and deleted only when the partition is compacted (or needs nothing), so a compaction
 * cut short by SIGKILL is found again by `resume` on the next start. It starts over from the
 * partition's current files: nothing of a half-done compaction is visible (its outputs are staged).
 */
export class Compactor {
  private readonly queue: Array<[string, string]> = [];
  private readonly queued = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: CompactionDeps,
    private readonly counters: CompactionCounters,
    private readonly logger: Logger,
  ) {}

  /**
   * Records a request in S3 before the partition's open marker is deleted, so that a crash
   * between completion (or a new version) and the compaction leaves the request for `resume`.
   */
  async mark(dataset: string, partitionPath: string): Promise<void> {
    if (!this.deps.dataset.compaction.enabled) return;
    await this.deps.store.put(this.deps.layout.compactionRequest(dataset, partitionPath), '');
  }

  /** Queues a partition that completed or got a new version; cheap, and a no-op when compaction is off. */
  request(dataset: string, partitionPath: string): void {
    if (!this.deps.dataset.compaction.enabled || this.stopped) return;
    const id = `${dataset}\u0000${partitionPath}`;
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push([dataset, partitionPath]);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Queues the requests a previous process left unfinished. */
  async resume(datasets: string[]): Promise<void> {
    if (!this.deps.dataset.compaction.enabled) return;
    for (const dataset of datasets) {
      const prefix = this.deps.layout.compactionRequests(dataset);
      for await (const o of listAll(this.deps.store, prefix)) this.request(dataset, this.deps.layout.partitionOfFlatKey(prefix, o.key));
    }
  }

  /** Stops taking requests and waits for the compaction in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.running;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined && !this.stopped; next = this.queue.shift()) {
      const [dataset, path] = next;
      this.queued.delete(`${dataset}\u0000${path}`);
      await this.compactOne(dataset, path);
    }
  }

  private async compactOne(dataset: string, path: string): Promise<void> {
    const { store, layout, commitLog } = this.deps;
    const marker = layout.compactionRequest(dataset, path);
    try {
      const state = (await commitLog.readPartition(dataset, path))?.value;
      if (!needsCompaction(state, this.deps.dataset)) {
        await store.delete([marker]);
        return;
      }
      await store.put(marker, '');
      this.counters.compactionsStarted++;
      const outcome = await compactPartition(this.deps, dataset, path);
      if (outcome) {
        this.counters.compactions++;
        this.counters.compactedFilesIn += outcome.files_in;
        this.counters.compactedFilesOut += outcome.files_out;
        this.counters.compactedRows += outcome.rows;
        this.logger.info({ dataset, ...outcome }, 'partition compacted');
        await store.delete([marker]);
      }
      // Undefined: a replay holds the partition; its switch writes an open marker that requests again.
    } catch (err) {
      this.counters.compactionFailures++;
      this.logger.warn({ dataset, partition_path: path, err: describeError(err) }, 'compaction failed; the old version stays, retried on the next request or start');
    }
  }
}
