/**
 * Row workers: worker threads that decode, keep the buffered values and encode files
 * (writing/rows/row-worker). Source partition p belongs to worker p % size, so every batch and
 * every buffer of a partition meets the same thread, and postMessage's FIFO order is the only
 * synchronisation needed: a batch's placements always arrive before an encode of its buffers.
 *
 * A worker that dies takes buffered values with it that exist nowhere else. Its pending calls
 * fail with ROW_WORKER_LOST (retryable), and `onLost` is told first: the materializer logs it at
 * fatal and exits, so that no offset past the lost rows is committed and Kafka delivers them again.
 */
import { Worker } from 'node:worker_threads';
import type { DatasetConfig } from '../../config/schema.js';
import type { SourceRecord } from '../../core/records.js';
import type { ResolvedSchema } from '../../core/resolved-schema.js';
import type { RowBatchLineage } from '../../buffering/row-batch.js';
import type { DecodedBatch, StoredBuffer } from '../../buffering/row-intake.js';
import { TukangError, describeError } from '../../errors/catalogue.js';
import { encodeFailed } from '../parquet/encoder-pool.js';
import { deserializeError, resolveEncodeOptions, type EncodeOptions, type EncodedFile, type ResolvedEncodeOptions } from '../parquet/encode-protocol.js';
import { packRecords, transferablesOf, type RowWorkerRequest, type RowWorkerResponse } from './row-worker-protocol.js';
import type { RowStore } from './row-store.js';

export interface RowWorkerPoolOptions {
  /** Told once per worker that dies (before its pending calls fail). */
  onLost: (err: TukangError) => void;
  /** The worker script; tests point this at stand-ins. Defaults to the compiled row-worker.js. */
  workerUrl?: URL;
}

interface Call {
  resolve: (response: RowWorkerResponse) => void;
  reject: (err: TukangError) => void;
}

interface RowThread {
  index: number;
  worker: Worker;
  calls: Map<number, Call>;
  lost: TukangError | undefined;
}

export class RowWorkerPool {
  readonly size: number;
  private readonly threads: RowThread[] = [];
  private readonly onLost: (err: TukangError) => void;
  private nextStoreId = 1;
  private nextJobId = 1;
  private nextBatchId = 1;
  private closing = false;

  constructor(size: number, options: RowWorkerPoolOptions) {
    if (!Number.isSafeInteger(size) || size < 1) throw new TypeError(`row worker pool size must be a positive integer, got ${size}`);
    this.size = size;
    this.onLost = options.onLost;
    const url = options.workerUrl ?? new URL('./row-worker.js', import.meta.url);
    for (let i = 0; i < size; i++) this.threads.push(this.spawn(i, url));
  }

  /** A row store for one dataset, over every worker of the pool. */
  storeFor(dataset: DatasetConfig, schema: ResolvedSchema): RowStore {
    const storeId = this.nextStoreId++;
    for (const thread of this.threads) this.post(thread, { kind: 'init', storeId, dataset, schema });
    return new WorkerRowStore(this, storeId);
  }

  /** Stops the workers; values they hold are gone, pending calls fail. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  threadOf(sourcePartition: number): RowThread {
    return this.threads[sourcePartition % this.size] as RowThread;
  }

  batchId(): number {
    return this.nextBatchId++;
  }

  jobId(): number {
    return this.nextJobId++;
  }

  /** Posts a message that needs no answer; a lost worker drops it (its rows are gone anyway). */
  post(thread: RowThread, message: RowWorkerRequest, transfer: ArrayBuffer[] = []): void {
    if (thread.lost !== undefined) return;
    thread.worker.postMessage(message, transfer);
  }

  /** Posts a request with a `jobId` and resolves with the worker's answer to it. */
  call(thread: RowThread, jobId: number, message: RowWorkerRequest, transfer: ArrayBuffer[] = []): Promise<RowWorkerResponse> {
    if (thread.lost !== undefined) return Promise.reject(thread.lost);
    if (this.closing) return Promise.reject(new TukangError('ROW_WORKER_LOST', 'the row worker pool is closed'));
    return new Promise((resolve, reject) => {
      if (thread.calls.size === 0) thread.worker.ref();
      thread.calls.set(jobId, { resolve, reject });
      try {
        thread.worker.postMessage(message, transfer);
      } catch (err) {
        this.settle(thread, jobId);
        reject(new TukangError('INTERNAL', `could not hand a message to row worker ${thread.index}: ${describeError(err)}`, { cause: err }));
      }
    });
  }

  private spawn(index: number, url: URL): RowThread {
    const worker = new Worker(url);
    const thread: RowThread = { index, worker, calls: new Map(), lost: undefined };
    // An idle worker must not keep the process alive; it is ref'd while a call waits for it.
    worker.unref();
    worker.on('message', (response: RowWorkerResponse) => this.answer(thread, response));
    worker.on('error', (err) => this.lose(thread, `row worker ${index} crashed: ${describeError(err)}`, err));
    worker.on('messageerror', (err) => this.lose(thread, `row worker ${index} sent an unreadable message`, err));
    worker.on('exit', (code) => this.lose(thread, `row worker ${index} exited with code ${code}`, undefined));
    return thread;
  }

  private answer(thread: RowThread, response: RowWorkerResponse): void {
    const call = this.settle(thread, response.jobId);
    if (response.kind === 'failed') {
      const cause = deserializeError(response.error);
      // A failure outside a call leaves the worker's state unknown: it is lost.
      if (call === undefined) this.lose(thread, `row worker ${thread.index} failed: ${cause.message}`, cause);
      else call.reject(new TukangError('INTERNAL', `row worker ${thread.index} failed: ${cause.message}`, { cause }));
      return;
    }
    call?.resolve(response);
    if (response.kind === 'encoded' && !response.ok && response.fatal) this.lose(thread, `parquet-wasm trapped in row worker ${thread.index}`, deserializeError(response.error));
  }

  private settle(thread: RowThread, jobId: number): Call | undefined {
    const call = thread.calls.get(jobId);
    thread.calls.delete(jobId);
    if (call !== undefined && thread.calls.size === 0) thread.worker.unref();
    return call;
  }

  private lose(thread: RowThread, message: string, cause: unknown): void {
    if (thread.lost !== undefined) return;
    const err = new TukangError('ROW_WORKER_LOST', message, { cause, details: { worker: thread.index } });
    thread.lost = err;
    if (!this.closing) this.onLost(err);
    const calls = [...thread.calls.values()];
    thread.calls.clear();
    for (const call of calls) call.reject(err);
    if (this.closing) return;
    void thread.worker.terminate();
  }
}

/** One dataset's rows over a row worker pool. */
class WorkerRowStore implements RowStore {
  constructor(
    private readonly pool: RowWorkerPool,
    private readonly storeId: number,
  ) {}

  async decodeBatch(records: readonly SourceRecord[], sourcePartition: number, nowMs: number): Promise<DecodedBatch> {
    const packed = packRecords(records);
    const jobId = this.pool.jobId();
    const request: RowWorkerRequest = { kind: 'decode', storeId: this.storeId, jobId, batchId: this.pool.batchId(), sourcePartition, nowMs, records: packed };
    const response = await this.pool.call(this.pool.threadOf(sourcePartition), jobId, request, transferablesOf(packed));
    if (response.kind !== 'decoded') throw new TukangError('INTERNAL', `a row worker answered a decode with ${response.kind}`);
    return response.batch;
  }

  place(batch: DecodedBatch, placements: Int32Array): void {
    const request: RowWorkerRequest = { kind: 'place', storeId: this.storeId, batchId: batch.batchId, placements };
    this.pool.post(this.pool.threadOf(batch.sourcePartition), request, [placements.buffer as ArrayBuffer]);
  }

  free(buffers: readonly StoredBuffer[]): void {
    const byThread = new Map<number, number[]>();
    for (const b of buffers) {
      const index = b.sourcePartition % this.pool.size;
      byThread.set(index, [...(byThread.get(index) ?? []), b.rowsId]);
    }
    for (const [index, rowsIds] of byThread) this.pool.post(this.pool.threadOf(index), { kind: 'free', storeId: this.storeId, rowsIds });
  }

  async encode(buffer: StoredBuffer, order: Uint32Array, lineage: RowBatchLineage, options: EncodeOptions): Promise<EncodedFile> {
    const rowCount = order.length;
    let resolved: ResolvedEncodeOptions;
    try {
      resolved = resolveEncodeOptions(options);
    } catch (err) {
      throw encodeFailed(describeError(err), err, rowCount, options);
    }
    const jobId = this.pool.jobId();
    const request: RowWorkerRequest = { kind: 'encode', storeId: this.storeId, jobId, rowsId: buffer.rowsId, order, lineage, options: resolved };
    const response = await this.pool.call(this.pool.threadOf(buffer.sourcePartition), jobId, request);
    if (response.kind !== 'encoded') throw new TukangError('INTERNAL', `a row worker answered an encode with ${response.kind}`);
    if (response.ok) return { bytes: response.bytes, rowCount, sha256: response.sha256 };
    const cause = deserializeError(response.error);
    const what = { rows: 'the row worker does not hold these rows', arrow: 'building Arrow columns failed', parquet: 'parquet-wasm could not encode the batch' }[response.stage];
    throw encodeFailed(`${what}: ${cause.message}`, cause, rowCount, options);
  }

  /** The pool is shared by every dataset; its owner closes it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
