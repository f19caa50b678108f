import { Worker } from 'node:worker_threads';
import { TukangError, describeError } from '../../errors/catalogue.js';
import { rowBatchToIPC } from './arrow-columns.js';
import { deserializeError, resolveEncodeOptions, type EncodeOptions, type EncodedFile } from './encode-protocol.js';
import type { RowBatch } from '../../buffering/row-batch.js';
import type { StreamFromWorker, StreamToWorker } from './stream-protocol.js';

/**
 * Writes one Parquet file from a sequence of row batches without ever holding the file's rows:
 * each batch goes to a worker running parquet-rs's streaming writer, which emits the bytes of each
 * row group as it completes. Memory is one batch, one row group in the writer, and the compressed
 * bytes so far. Used by compaction, whose output files are far larger than a batch.
 */
export class ParquetStreamWriter {
  private readonly worker: Worker;
  private readonly chunks: Uint8Array[] = [];
  private rows = 0;
  private acked: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly finished: Promise<string>;

  constructor(options: EncodeOptions = {}, workerUrl = new URL('./stream-encode-worker.js', import.meta.url)) {
    this.worker = new Worker(workerUrl, { workerData: resolveEncodeOptions(options) });
    this.finished = new Promise<string>((resolve, reject) => {
      this.worker.on('message', (message: StreamFromWorker) => {
        if (message.type === 'ack') {
          this.acked?.();
          this.acked = undefined;
        } else if (message.type === 'bytes') this.chunks.push(message.chunk);
        else if (message.type === 'done') resolve(message.sha256);
        else this.fail(deserializeError(message.error), reject);
      });
      this.worker.on('error', (err) => this.fail(err, reject));
      this.worker.on('exit', (code) => this.fail(new Error(`the streaming encode worker exited with code ${code}`), reject));
    });
    // Observed through write() and finish(); not an unhandled rejection meanwhile.
    this.finished.catch(() => undefined);
  }

  /** Sends a batch; resolves once the writer took it, so at most one batch is in flight. */
  async write(batch: RowBatch): Promise<void> {
    if (this.failure) throw this.failure;
    if (batch.rowCount === 0) return;
    const ipc = rowBatchToIPC(batch);
    this.rows += batch.rowCount;
    const taken = new Promise<void>((resolve) => (this.acked = resolve));
    this.worker.postMessage({ type: 'batch', ipc } satisfies StreamToWorker, [ipc.buffer as ArrayBuffer]);
    await Promise.race([taken, this.finished.then(() => undefined)]);
    if (this.failure) throw this.failure;
  }

  /** Ends the file: its bytes, row count and checksum. */
  async finish(): Promise<EncodedFile> {
    this.worker.postMessage({ type: 'close' } satisfies StreamToWorker);
    try {
      const sha256 = await this.finished;
      return { bytes: Buffer.concat(this.chunks), rowCount: this.rows, sha256 };
    } finally {
      await this.worker.terminate();
    }
  }

  async abort(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(err: Error, reject: (err: Error) => void): void {
    if (this.failure) return;
    this.failure = new TukangError('ENCODE_FAILED', `streaming Parquet encode failed: ${describeError(err)}`, { cause: err, details: { rowCount: this.rows } });
    this.acked?.();
    reject(this.failure);
  }
}
