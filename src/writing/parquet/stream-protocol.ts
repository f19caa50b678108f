/** What a streaming writer and its worker say to each other (stream-encoder.ts, stream-encode-worker.ts). */
import type { SerializedError } from './encode-protocol.js';

export type StreamToWorker = { type: 'batch'; ipc: Uint8Array } | { type: 'close' };

export type StreamFromWorker =
  | { type: 'ack' }
  | { type: 'bytes'; chunk: Uint8Array }
  | { type: 'done'; sha256: string }
  | { type: 'error'; error: SerializedError };
