/**
 * A small pool of encode workers. The main thread builds Arrow IPC bytes from a RowBatch and
 * transfers them to a worker, which runs parquet-wasm and transfers the Parquet bytes back.
 * Jobs queue when every worker is busy; `pending` lets callers apply backpressure.
 * A worker that dies fails only its own job and is replaced lazily, when the next job needs a
 * worker, so a worker that cannot even start never spins in a restart loop.
 */
import { Worker } from 'node:worker_threads';
import { TukangError, describeError } from '../../errors/catalogue.js';
import { rowBatchToIPC } from './arrow-columns.js';
import { DEFAULT_COMPRESSION, deserializeError, resolveEncodeOptions, type EncodeOptions, type EncodeRequest, type EncodeResponse, type EncodedFile, type ResolvedEncodeOptions } from './encode-protocol.js';
import type { RowBatch } from '../../buffering/row-batch.js';

export { DEFAULT_COMPRESSION, DEFAULT_ROW_GROUP_ROWS, PARQUET_COMPRESSIONS } from './encode-protocol.js';
export type { EncodeOptions, EncodedFile, ParquetCompression } from './encode-protocol.js';

export interface EncoderPoolOptions {
  /** The worker script; tests point this at stand-ins. Defaults to the compiled encode-worker.js. */
  workerUrl?: URL;
}

interface Job {
  id: number;
  ipc: Uint8Array;
  rowCount: number;
  options: ResolvedEncodeOptions;
  resolve: (file: EncodedFile) => void;
  reject: (err: TukangError) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  /** Set once the worker is on its way out; it takes no further jobs. */
  retired: boolean;
}

export class ParquetEncoderPool {
  readonly size: number;
  private readonly workerUrl: URL;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private nextJobId = 1;
  private closing = false;

  constructor(size = 1, options: EncoderPoolOptions = {}) {
    if (!Number.isSafeInteger(size) || size < 1) throw new TypeError(`encoder pool size must be a positive integer, got ${size}`);
    this.size = size;
    this.workerUrl = options.workerUrl ?? new URL('./encode-worker.js', import.meta.url);
  }

  /** Jobs queued or being encoded. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job !== undefined).length;
  }

  /**
   * Builds the batch's Arrow columns on this thread (the caller's CPU time), then encodes in a
   * worker. Any failure, including a value that does not fit its column, rejects with ENCODE_FAILED.
   */
  async encode(batch: RowBatch, options: EncodeOptions = {}): Promise<EncodedFile> {
    if (this.closing) throw encodeFailed('the encoder pool is closed', undefined, batch.rowCount, options);
    try {
      resolveEncodeOptions(options);
    } catch (err) {
      throw encodeFailed(describeError(err), err, batch.rowCount, options);
    }
    let ipc: Uint8Array;
    try {
      ipc = rowBatchToIPC(batch);
    } catch (err) {
      throw encodeFailed(`building Arrow columns failed: ${describeError(err)}`, err, batch.rowCount, options);
    }
    return this.encodeIPC(ipc, batch.rowCount, options);
  }

  /**
   * Encodes ready Arrow IPC stream bytes. Their buffer is transferred to the worker, so the
   * caller's view is detached afterwards (unless it was a view into a larger or shared buffer,
   * which is copied instead).
   */
  encodeIPC(ipc: Uint8Array, rowCount: number, options: EncodeOptions = {}): Promise<EncodedFile> {
    if (this.closing) return Promise.reject(encodeFailed('the encoder pool is closed', undefined, rowCount, options));
    let resolved: ResolvedEncodeOptions;
    try {
      resolved = resolveEncodeOptions(options);
    } catch (err) {
      return Promise.reject(encodeFailed(describeError(err), err, rowCount, options));
    }
    return new Promise<EncodedFile>((resolve, reject) => {
      this.queue.push({ id: this.nextJobId++, ipc: ownedBytes(ipc), rowCount, options: resolved, resolve, reject });
      this.dispatch();
    });
  }

  /** Lets queued and running jobs finish, then stops the workers. Later encodes are rejected. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.pending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map((slot) => {
        slot.retired = true;
        return slot.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.job === undefined && !s.retired) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (slot === undefined) return;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      const request: EncodeRequest = { jobId: job.id, ipc: job.ipc, options: job.options };
      try {
        slot.worker.postMessage(request, [job.ipc.buffer as ArrayBuffer]);
      } catch (err) {
        slot.job = undefined;
        job.reject(encodeFailed(`could not hand the batch to an encode worker: ${describeError(err)}`, err, job.rowCount, job.options));
      }
    }
    this.notifyIfIdle();
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerUrl);
    const slot: Slot = { worker, job: undefined, retired: false };
    // An idle worker must not keep the process alive; it is ref'd while it holds a job.
    worker.unref();
    worker.on('message', (response: EncodeResponse) => this.finish(slot, response));
    worker.on('error', (err) => this.lose(slot, `the encode worker crashed: ${describeError(err)}`, err));
    worker.on('messageerror', (err) => this.lose(slot, 'the encode worker sent an unreadable message', err));
    worker.on('exit', (code) => this.lose(slot, `the encode worker exited with code ${code}`, undefined));
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot, response: EncodeResponse): void {
    const job = slot.job;
    if (job === undefined || job.id !== response.jobId) return;
    slot.job = undefined;
    slot.worker.unref();
    if (response.ok) {
      job.resolve({ bytes: response.bytes, rowCount: job.rowCount, sha256: response.sha256 });
    } else {
      const cause = deserializeError(response.error);
      job.reject(encodeFailed(`parquet-wasm could not encode the batch: ${cause.message}`, cause, job.rowCount, job.options));
    }
    if (response.ok === false && response.fatal) this.retire(slot);
    this.dispatch();
  }

  /** The worker is gone or going: fail its job, forget it, and let queued jobs start a new one. */
  private lose(slot: Slot, message: string, cause: unknown): void {
    const job = slot.job;
    slot.job = undefined;
    this.retire(slot);
    if (job !== undefined) job.reject(encodeFailed(message, cause, job.rowCount, job.options));
    this.dispatch();
  }

  private retire(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (!slot.retired) {
      slot.retired = true;
      void slot.worker.terminate();
    }
  }

  private notifyIfIdle(): void {
    if (this.pending > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** Worker transfer needs a plain ArrayBuffer holding exactly these bytes; anything else is copied. */
function ownedBytes(bytes: Uint8Array): Uint8Array {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole ? bytes : bytes.slice();
}

export function encodeFailed(message: string, cause: unknown, rowCount: number, options: EncodeOptions): TukangError {
  return new TukangError('ENCODE_FAILED', message, { cause, details: { rowCount, compression: options.compression ?? DEFAULT_COMPRESSION } });
}
