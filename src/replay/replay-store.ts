import { hostname } from 'node:os';
import { replayJobSchema, replayLockSchema } from '../lake/metadata-schemas.js';
import { readMetadata } from '../lake/read-metadata.js';
import { TukangError, isTukangError } from '../errors/catalogue.js';
import { isAlive } from '../core/process-alive.js';
import { listAll, putJson, type ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { ReplayLock } from '../lake/metadata-types.js';
import type { ReplayJob } from './replay-types.js';

/** A lock whose heartbeat is older than this is abandoned (its holder died on another host). */
export const LOCK_STALE_MS = 60_000;

/**
 * Replay jobs and the per-partition locks that keep two replays of one partition apart, both in
 * S3 so that any instance sees them. Locks are taken with If-None-Match and refreshed or taken
 * over with If-Match; a lock is abandoned when its holder is a dead process on this host or its
 * heartbeat is older than LOCK_STALE_MS.
 */
export class ReplayStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly layout: LakeLayout,
  ) {}

  private jobKey(id: string): string {
    return this.layout.replayJob(id);
  }

  private lockKey(dataset: string, partitionPath: string): string {
    return this.layout.replayLock(dataset, partitionPath);
  }

  /** The ETag of each job document as this process last wrote it, for If-Match. */
  private readonly jobEtags = new Map<string, string>();
  /** Saves of one job run one after another (the heartbeat and the runner both save). */
  private readonly saving = new Map<string, Promise<void>>();

  /**
   * Writes a job this process runs: created with If-None-Match, then replaced only with If-Match
   * on the ETag of its own last write. When another instance changed the job meanwhile (marked it
   * failed, believing its process dead), the save is refused with REPLAY_CONFLICT: a late
   * heartbeat of a stopped or stalled runner never overwrites that status.
   */
  saveJob(job: ReplayJob): Promise<void> {
    const previous = this.saving.get(job.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.writeJob({ ...job, updated_at: new Date().toISOString() }));
    this.saving.set(job.id, next);
    void next.finally(() => {
      if (this.saving.get(job.id) === next) this.saving.delete(job.id);
    }).catch(() => undefined);
    return next;
  }

  private async writeJob(job: ReplayJob): Promise<void> {
    const etag = this.jobEtags.get(job.id);
    try {
      const written = await putJson(this.store, this.jobKey(job.id), job, etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag });
      this.jobEtags.set(job.id, written.etag);
    } catch (err) {
      if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
      throw new TukangError('REPLAY_CONFLICT', `replay job ${job.id} was changed by another instance; not overwriting it`, { cause: err });
    }
  }

  async readJob(id: string): Promise<ReplayJob | undefined> {
    return (await readMetadata(this.store, this.jobKey(id), replayJobSchema))?.value;
  }

  async listJobs(): Promise<ReplayJob[]> {
    const jobs: ReplayJob[] = [];
    for await (const o of listAll(this.store, this.layout.replayJobs())) {
      const job = (await readMetadata(this.store, o.key, replayJobSchema))?.value;
      if (job) jobs.push(job);
    }
    return jobs;
  }

  /** Marks running jobs whose process is gone as failed, so that their history is honest. */
  async failAbandonedJobs(): Promise<ReplayJob[]> {
    const failed: ReplayJob[] = [];
    for await (const o of listAll(this.store, this.layout.replayJobs())) {
      const read = await readMetadata(this.store, o.key, replayJobSchema);
      const job = read?.value;
      if (!read || !job || job.status !== 'running' || !abandoned(job.host, job.pid, job.updated_at)) continue;
      const now = new Date().toISOString();
      const done = { ...job, status: 'failed' as const, error: 'interrupted: its process stopped before it finished; the old version stayed in place', finished_at: now, updated_at: now };
      try {
        // If-Match on what was read: a job saved meanwhile is alive after all, and is left alone.
        await putJson(this.store, o.key, done, { ifMatch: read.etag });
      } catch (err) {
        if (isTukangError(err, 'S3_PRECONDITION_FAILED')) continue;
        throw err;
      }
      failed.push(done);
    }
    return failed;
  }

  /** Takes the replay lock of every partition, or none: a held lock gives REPLAY_CONFLICT. */
  async lockAll(dataset: string, partitionPaths: string[], jobId: string): Promise<void> {
    const taken: string[] = [];
    try {
      for (const path of partitionPaths) {
        await this.lock(dataset, path, jobId);
        taken.push(path);
      }
    } catch (err) {
      for (const path of taken) await this.unlock(dataset, path, jobId).catch(() => undefined);
      throw err;
    }
  }

  private async lock(dataset: string, partitionPath: string, jobId: string): Promise<void> {
    const key = this.lockKey(dataset, partitionPath);
    const mine: ReplayLock = { job_id: jobId, host: hostname(), pid: process.pid, heartbeat_at: new Date().toISOString() };
    try {
      await putJson(this.store, key, mine, { ifNoneMatch: '*' });
      return;
    } catch (err) {
      if (!isTukangError(err, 'S3_PRECONDITION_FAILED')) throw err;
    }
    const held = await readMetadata(this.store, key, replayLockSchema);
    if (held && !abandoned(held.value.host, held.value.pid, held.value.heartbeat_at)) {
      throw new TukangError('REPLAY_CONFLICT', `partition ${partitionPath} is being replayed by job ${held.value.job_id}`, {
        details: { partition_path: partitionPath, job_id: held.value.job_id },
      });
    }
    try {
      await putJson(this.store, key, mine, held ? { ifMatch: held.etag } : { ifNoneMatch: '*' });
    } catch (err) {
      if (isTukangError(err, 'S3_PRECONDITION_FAILED')) throw new TukangError('REPLAY_CONFLICT', `partition ${partitionPath} was locked by another replay just now`);
      throw err;
    }
  }

  /** Refreshes this job's locks with If-Match: a lock another replay took over is not taken back. */
  async heartbeat(dataset: string, partitionPaths: string[], jobId: string): Promise<void> {
    for (const path of partitionPaths) {
      const key = this.lockKey(dataset, path);
      const held = await readMetadata(this.store, key, replayLockSchema);
      if (held?.value.job_id !== jobId) continue;
      await putJson(this.store, key, { job_id: jobId, host: hostname(), pid: process.pid, heartbeat_at: new Date().toISOString() }, { ifMatch: held.etag });
    }
  }

  async unlock(dataset: string, partitionPath: string, jobId: string): Promise<void> {
    const key = this.lockKey(dataset, partitionPath);
    const held = await readMetadata(this.store, key, replayLockSchema);
    if (held?.value.job_id === jobId) await this.store.delete([key]);
  }
}

function abandoned(host: string, pid: number, heartbeatAt: string): boolean {
  if (host === hostname() && pid !== process.pid && !isAlive(pid)) return true;
  return Date.now() - Date.parse(heartbeatAt) > LOCK_STALE_MS;
}
