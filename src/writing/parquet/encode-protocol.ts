/**
 * What the encoder pool and its workers say to each other, and the options of one encode.
 * Kept free of parquet-wasm imports: the main thread must not load the wasm module.
 */

export const PARQUET_COMPRESSIONS = ['zstd', 'snappy', 'gzip', 'lz4_raw', 'uncompressed'] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

export interface EncodeOptions {
  /** Defaults to zstd, as a dataset's `files.compression` does. */
  compression?: ParquetCompression;
  /** Maximum rows per row group; the last group of a file may be smaller. Defaults to 100,000. */
  rowGroupRows?: number;
  /** Written to the Parquet footer's key-value metadata, next to parquet-rs's ARROW:schema. */
  keyValueMetadata?: Readonly<Record<string, string>>;
}

/** Options with the defaults applied, as a worker receives them. */
export type ResolvedEncodeOptions = Required<Pick<EncodeOptions, 'compression' | 'rowGroupRows'>> & Pick<EncodeOptions, 'keyValueMetadata'>;

/** The same defaults as the `files` section of a dataset's configuration. */
export const DEFAULT_COMPRESSION: ParquetCompression = 'zstd';
export const DEFAULT_ROW_GROUP_ROWS = 100_000;

export interface EncodedFile {
  bytes: Uint8Array;
  rowCount: number;
  /** Hex SHA-256 of `bytes`, computed in the worker while the bytes are still hot in cache. */
  sha256: string;
}

export interface EncodeRequest {
  jobId: number;
  /** Arrow IPC stream bytes; their buffer is transferred, not copied. */
  ipc: Uint8Array;
  options: ResolvedEncodeOptions;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type EncodeResponse =
  | { jobId: number; ok: true; bytes: Uint8Array; sha256: string }
  /** `fatal`: the wasm module trapped and its state cannot be trusted; the pool replaces the worker. */
  | { jobId: number; ok: false; error: SerializedError; fatal: boolean };

/** Applies the defaults; throws a TypeError describing the first invalid option. */
export function resolveEncodeOptions(options: EncodeOptions): ResolvedEncodeOptions {
  const compression = options.compression ?? DEFAULT_COMPRESSION;
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!(PARQUET_COMPRESSIONS as readonly string[]).includes(compression)) {
    throw new TypeError(`unknown compression "${String(compression)}"; expected one of ${PARQUET_COMPRESSIONS.join(', ')}`);
  }
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new TypeError(`rowGroupRows must be a positive integer, got ${String(rowGroupRows)}`);
  }
  for (const [key, value] of Object.entries(options.keyValueMetadata ?? {})) {
    if (typeof value !== 'string') throw new TypeError(`keyValueMetadata["${key}"] must be a string`);
  }
  return options.keyValueMetadata === undefined ? { compression, rowGroupRows } : { compression, rowGroupRows, keyValueMetadata: options.keyValueMetadata };
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return err.stack === undefined ? { name: err.name, message: err.message } : { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(error: SerializedError): Error {
  const err = new Error(error.message);
  err.name = error.name;
  if (error.stack !== undefined) err.stack = error.stack;
  return err;
}
