/**
 * The encode worker: Arrow IPC bytes in, Parquet bytes and their SHA-256 out. parquet-wasm runs
 * Rust's parquet writer, which holds the thread for seconds on large files; here it cannot
 * stall the main thread's consuming and flushing.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
// The node build instantiates its wasm synchronously at import; no init call is needed.
import { Compression, Table, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';
import { serializeError, type ResolvedEncodeOptions, type EncodeRequest, type EncodeResponse, type ParquetCompression } from './encode-protocol.js';

const CODECS: Record<ParquetCompression, Compression> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  gzip: Compression.GZIP,
  lz4_raw: Compression.LZ4_RAW,
  uncompressed: Compression.UNCOMPRESSED,
};

function encode(ipc: Uint8Array, options: ResolvedEncodeOptions): Uint8Array {
  let builder = new WriterPropertiesBuilder()
    .setCompression(CODECS[options.compression])
    .setMaxRowGroupSize(options.rowGroupRows)
    // On by default in parquet-rs; stated because low-cardinality and lineage columns rely on it.
    .setDictionaryEnabled(true);
  const metadata = Object.entries(options.keyValueMetadata ?? {});
  if (metadata.length > 0) builder = builder.setKeyValueMetadata(new Map(metadata));
  // Both calls take ownership of their wasm objects, so nothing is left to free on success or throw.
  return writeParquet(Table.fromIPCStream(ipc), builder.build());
}

function respond(request: EncodeRequest): void {
  let response: EncodeResponse;
  const transfer: ArrayBuffer[] = [];
  try {
    const bytes = encode(request.ipc, request.options);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    response = { jobId: request.jobId, ok: true, bytes, sha256 };
    // writeParquet copies out of wasm memory into a fresh buffer, so handing it over is safe.
    if (bytes.buffer instanceof ArrayBuffer) transfer.push(bytes.buffer);
  } catch (err) {
    response = { jobId: request.jobId, ok: false, error: serializeError(err), fatal: isWasmTrap(err) };
  }
  parentPort?.postMessage(response, transfer);
}

/** A trap (WebAssembly.RuntimeError, e.g. a Rust panic) may leave wasm memory inconsistent. */
function isWasmTrap(err: unknown): boolean {
  // Matched by name: the project's type libraries do not declare the WebAssembly namespace.
  return err instanceof Error && err.name === 'RuntimeError';
}

parentPort?.on('message', (request: EncodeRequest) => respond(request));
