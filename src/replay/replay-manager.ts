import { CommitLog } from '../commit/commit-log.js';
import type { CommitListener } from '../commit/commit-listener.js';
import type { DatasetConfig } from '../config/schema.js';
import { TukangError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Component } from '../core/component.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { ParquetEncoderPool } from '../writing/parquet/encoder-pool.js';
import type { ReplayBus } from './replay-bus.js';
import { planFor, startReplay, type ReplayDeps } from './replay-runner.js';
import { partitionsStartingBetween } from './replay-selection.js';
import { ReplayStore } from './replay-store.js';
import type { ReplayJob, ReplayPlan } from './replay-types.js';

export interface ReplayManagerDeps {
  store: ObjectStore;
  layout: LakeLayout;
  bucket: string;
  /** Without a bus (no Kafka client), jobs can be listed but not started. */
  bus: ReplayBus | undefined;
  encodeWorkers: number;
  logger: Logger;
  /** Told when a replay switches a partition (the Iceberg committer). */
  listener?: CommitListener | undefined;
}

interface RunningJob {
  job: ReplayJob;
  control: { cancel: boolean };
  done: Promise<ReplayJob>;
}

export type CancelOutcome = { accepted: true; job: ReplayJob } | { accepted: false; job: ReplayJob; reason: string };

/**
 * Runs replay jobs in the background of a service (the API starts them) and answers for them.
 * Jobs live in S3 (any instance lists them); cancelling reaches only the jobs this process runs,
 * since the cancel flag is in memory. At start, jobs left `running` by a dead process are marked
 * failed; at stop, running jobs are cancelled and awaited, so no lock outlives the process.
 */
export class ReplayManager implements Component {
  readonly name = 'replays';
  readonly jobs: ReplayStore;
  private readonly commitLog: CommitLog;
  private readonly running = new Map<string, RunningJob>();
  private encoder: ParquetEncoderPool | undefined;
  private stopping = false;

  constructor(private readonly deps: ReplayManagerDeps) {
    this.jobs = new ReplayStore(deps.store, deps.layout);
    this.commitLog = new CommitLog(deps.store, deps.layout, deps.bucket, deps.listener);
  }

  async start(): Promise<void> {
    const failed = await this.jobs.failAbandonedJobs();
    if (failed.length > 0) this.deps.logger.warn({ jobs: failed.map((j) => j.id) }, 'replay jobs of a stopped process marked failed');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const r of this.running.values()) r.control.cancel = true;
    await Promise.all([...this.running.values()].map((r) => r.done));
    await this.encoder?.close();
    this.encoder = undefined;
  }

  /** Partitions of a dataset starting in [fromMs, toMs); REPLAY_REFUSED when there are none. */
  async partitionsBetween(dataset: DatasetConfig, fromMs: number, toMs: number): Promise<string[]> {
    const paths = await partitionsStartingBetween(this.deps.store, this.deps.layout, dataset.name, fromMs, toMs);
    if (paths.length === 0) {
      throw new TukangError('REPLAY_REFUSED', `dataset ${dataset.name} has no partitions starting between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`);
    }
    return paths;
  }

  plan(dataset: DatasetConfig, paths: string[]): Promise<ReplayPlan> {
    return planFor(this.replayDeps(dataset, () => false), paths);
  }

  /** Plans, locks and records the job, then runs it in the background; refusals throw before anything changes. */
  async submit(dataset: DatasetConfig, paths: string[]): Promise<ReplayJob> {
    const control = { cancel: false };
    const started = await startReplay(this.replayDeps(dataset, () => control.cancel), paths);
    const id = started.job.id;
    this.running.set(id, { job: started.job, control, done: started.done });
    void started.done.then((job) => {
      this.running.delete(id);
      this.deps.logger.info({ job_id: id, status: job.status, versions: job.versions }, 'replay finished');
    });
    this.deps.logger.info({ job_id: id, dataset: dataset.name, partitions: started.job.partitions }, 'replay started');
    return started.job;
  }

  /** The live job when this process runs it (progress to the record), else what S3 holds. */
  async get(id: string): Promise<ReplayJob | undefined> {
    return this.running.get(id)?.job ?? (await this.jobs.readJob(id));
  }

  async list(): Promise<ReplayJob[]> {
    const jobs = (await this.jobs.listJobs()).map((j) => this.running.get(j.id)?.job ?? j);
    return jobs.sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
  }

  async cancel(id: string): Promise<CancelOutcome | undefined> {
    const mine = this.running.get(id);
    if (mine) {
      mine.control.cancel = true;
      return { accepted: true, job: mine.job };
    }
    const job = await this.jobs.readJob(id);
    if (!job) return undefined;
    return { accepted: false, job, reason: job.status === 'running' ? `replay ${id} runs on another instance (${job.host}); cancel it there` : `replay ${id} has already finished (${job.status})` };
  }

  /** Resolves when every job this process runs has finished; for tests and shutdown. */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private replayDeps(dataset: DatasetConfig, cancelled: () => boolean): ReplayDeps {
    const bus = this.deps.bus;
    if (!bus) throw new TukangError('KAFKA_UNAVAILABLE', 'this instance has no Kafka client, so it cannot replay');
    if (this.stopping) throw new TukangError('SHUTDOWN_REQUESTED', 'the service is shutting down; start the replay on another instance or after the restart');
    this.encoder ??= new ParquetEncoderPool(this.deps.encodeWorkers);
    return {
      dataset,
      bus,
      store: this.deps.store,
      commitLog: this.commitLog,
      layout: this.deps.layout,
      replays: this.jobs,
      encoder: this.encoder,
      logger: this.deps.logger,
      cancelled,
    };
  }
}
