/**
 * The streaming encode worker: Arrow IPC batches in, one at a time, Parquet bytes out as parquet-rs
 * finishes each row group. It holds one batch and the row group being built, never the file.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Table, transformParquetStream, type RecordBatch } from 'parquet-wasm/node';
import { writerProperties } from './encode-job.js';
import { serializeError, type ResolvedEncodeOptions } from './encode-protocol.js';
import type { StreamToWorker } from './stream-protocol.js';

const port = parentPort;
const pending: RecordBatch[] = [];
let closed = false;
let wake: (() => void) | undefined;

const input = new ReadableStream<RecordBatch>(
  {
    async pull(controller) {
      while (pending.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
      const next = pending.shift();
      if (next) {
        controller.enqueue(next);
        // Asks for the next batch only once the writer took this one: one batch in flight.
        port?.postMessage({ type: 'ack' });
      } else controller.close();
    },
  },
  { highWaterMark: 0 },
);

port?.on('message', (message: StreamToWorker) => {
  if (message.type === 'batch') pending.push(...Table.fromIPCStream(message.ipc).recordBatches());
  else closed = true;
  wake?.();
  wake = undefined;
});

async function run(options: ResolvedEncodeOptions): Promise<void> {
  try {
    const output = (await transformParquetStream(input, writerProperties(options))) as ReadableStream<Uint8Array>;
    const hash = createHash('sha256');
    for await (const chunk of output) {
      hash.update(chunk);
      const copy = new Uint8Array(chunk);
      port?.postMessage({ type: 'bytes', chunk: copy }, [copy.buffer]);
    }
    port?.postMessage({ type: 'done', sha256: hash.digest('hex') });
  } catch (err) {
    port?.postMessage({ type: 'error', error: serializeError(err) });
  }
}

void run(workerData as ResolvedEncodeOptions);
