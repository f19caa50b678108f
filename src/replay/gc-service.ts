import { describeError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Component } from '../core/component.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { collectGarbage } from './garbage-collector.js';

export interface GcServiceOptions {
  bucket: string;
  datasets: string[];
  retentionMs: number;
  /** Between two runs; the first runs one interval after start (with jitter, so instances spread out). */
  intervalMs: number;
}

/**
 * `tukang gc` inside the service: every `replay.gc_interval`, deletes the files of versions
 * superseded longer ago than `replay.retention`, and staged or superseded files no version needs.
 * Several instances may run it at once: each deletion is re-checked against the current state,
 * and deleting twice is harmless.
 */
export class GcService implements Component {
  readonly name = 'garbage-collector';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: LakeLayout,
    private readonly options: GcServiceOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.options.intervalMs <= 0 || this.options.datasets.length === 0) return;
    const schedule = (): void => {
      this.timer = setTimeout(() => {
        this.running = this.runOnce().finally(() => {
          this.running = undefined;
          if (this.timer !== undefined) schedule();
        });
      }, this.options.intervalMs * (0.9 + Math.random() * 0.2));
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One collection; failures are logged and retried on the next interval. */
  async runOnce(nowMs = Date.now()): Promise<void> {
    try {
      const result = await collectGarbage(this.store, this.layout, { bucket: this.options.bucket, datasets: this.options.datasets, retentionMs: this.options.retentionMs, dryRun: false, nowMs });
      const orphans = result.orphans ?? [];
      if (result.delete.length > 0 || orphans.length > 0) {
        this.logger.info({ deleted: result.delete.length, orphans_deleted: orphans.length, retained: result.retained.length }, 'garbage collected');
      }
    } catch (err) {
      this.logger.warn({ err: describeError(err) }, 'garbage collection failed; retrying next interval');
    }
  }
}
