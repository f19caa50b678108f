/**
 * The encode worker thread. parquet-wasm runs Rust's parquet writer, which holds its thread for
 * seconds on large files; in a worker it cannot stall the main thread's consuming and flushing.
 */
import { parentPort } from 'node:worker_threads';
import type { EncodeRequest } from './encode-protocol.js';
import { runEncodeJob } from './encode-job.js';

parentPort?.on('message', (request: EncodeRequest) => {
  const { response, transfer } = runEncodeJob(request);
  parentPort?.postMessage(response, transfer);
});
