/**
 * One encode, as a worker runs it: Arrow IPC bytes in, Parquet bytes and their SHA-256 out.
 * Separate from the worker's message wiring so the work itself can be reused and tested.
 */
import { createHash } from 'node:crypto';
// The node build instantiates its wasm synchronously at import; no init call is needed.
import { Compression, Table, WriterPropertiesBuilder, writeParquet, type WriterProperties } from 'parquet-wasm/node';
import { LINEAGE_COLUMNS } from '../../core/records.js';
import { serializeError, type EncodeRequest, type EncodeResponse, type ParquetCompression, type ResolvedEncodeOptions } from './encode-protocol.js';

const CODECS: Record<ParquetCompression, Compression> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  gzip: Compression.GZIP,
  lz4_raw: Compression.LZ4_RAW,
  uncompressed: Compression.UNCOMPRESSED,
};

/**
 * Lineage columns that hold a different value on (nearly) every row. Dictionary encoding only
 * costs there: parquet-rs builds a dictionary until its page limit and then falls back to plain.
 * Measured on 200k rows: about 10% smaller files with ZSTD. The topic and partition keep theirs.
 */
const UNIQUE_PER_ROW = [LINEAGE_COLUMNS.eventId, LINEAGE_COLUMNS.eventTime, LINEAGE_COLUMNS.offset, LINEAGE_COLUMNS.receivedAt];

export function encodeParquet(ipc: Uint8Array, options: ResolvedEncodeOptions): Uint8Array {
  // Both calls take ownership of their wasm objects, so nothing is left to free on success or throw.
  return writeParquet(Table.fromIPCStream(ipc), writerProperties(options));
}

/** The writer settings every Tukang file is written with (also by the streaming writer). */
export function writerProperties(options: ResolvedEncodeOptions): WriterProperties {
  let builder = new WriterPropertiesBuilder()
    .setCompression(CODECS[options.compression])
    .setMaxRowGroupSize(options.rowGroupRows)
    // On by default in parquet-rs; stated because low-cardinality and lineage columns rely on it.
    .setDictionaryEnabled(true);
  for (const column of UNIQUE_PER_ROW) builder = builder.setColumnDictionaryEnabled(column, false);
  const metadata = Object.entries(options.keyValueMetadata ?? {});
  if (metadata.length > 0) builder = builder.setKeyValueMetadata(new Map(metadata));
  return builder.build();
}

/** The response to post back and the buffers to transfer with it. Never throws. */
export function runEncodeJob(request: EncodeRequest): { response: EncodeResponse; transfer: ArrayBuffer[] } {
  try {
    const bytes = encodeParquet(request.ipc, request.options);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // writeParquet copies out of wasm memory into a fresh buffer, so handing it over is safe.
    const transfer = bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
    return { response: { jobId: request.jobId, ok: true, bytes, sha256 }, transfer };
  } catch (err) {
    return { response: { jobId: request.jobId, ok: false, error: serializeError(err), fatal: isWasmTrap(err) }, transfer: [] };
  }
}

/** A trap (WebAssembly.RuntimeError, e.g. a Rust panic) may leave wasm memory inconsistent. */
function isWasmTrap(err: unknown): boolean {
  // Matched by name: the project's type libraries do not declare the WebAssembly namespace.
  return err instanceof Error && err.name === 'RuntimeError';
}
