/**
 * What the row worker pool and its workers say to each other. Records cross as one transferred
 * ArrayBuffer per batch; values never come back, only summaries and finished Parquet bytes.
 * Kept free of parquet-wasm imports: the main thread must not load the wasm module.
 */
import type { DatasetConfig } from '../../config/schema.js';
import type { SourceRecord } from '../../core/records.js';
import type { ResolvedSchema } from '../../core/resolved-schema.js';
import type { RowBatchLineage } from '../../buffering/row-batch.js';
import type { DecodedBatch } from '../../buffering/row-intake.js';
import type { ResolvedEncodeOptions, SerializedError } from '../parquet/encode-protocol.js';

/** One batch's records packed for transfer: every value in one buffer, -1 as the length of a null value. */
export interface PackedRecords {
  topic: string;
  bytes: ArrayBuffer;
  starts: Int32Array;
  lengths: Int32Array;
  offsets: Float64Array;
  timestamps: Float64Array;
}

export type RowWorkerRequest =
  /** A dataset's decoder and columns, sent to every worker once; `storeId` names it in later messages. */
  | { kind: 'init'; storeId: number; dataset: DatasetConfig; schema: ResolvedSchema }
  | { kind: 'decode'; storeId: number; jobId: number; batchId: number; sourcePartition: number; nowMs: number; records: PackedRecords }
  | { kind: 'place'; storeId: number; batchId: number; placements: Int32Array }
  | { kind: 'encode'; storeId: number; jobId: number; rowsId: number; order: Uint32Array; lineage: RowBatchLineage; options: ResolvedEncodeOptions }
  | { kind: 'free'; storeId: number; rowsIds: number[] };

export type RowWorkerResponse =
  | { kind: 'decoded'; jobId: number; batch: DecodedBatch }
  | { kind: 'encoded'; jobId: number; ok: true; bytes: Uint8Array; sha256: string }
  /** `stage` says which step failed; `fatal`: the wasm module trapped and the worker's state cannot be trusted. */
  | { kind: 'encoded'; jobId: number; ok: false; stage: 'rows' | 'arrow' | 'parquet'; error: SerializedError; fatal: boolean }
  /** A request the worker could not handle at all (a bug): the pool treats the worker as lost. */
  | { kind: 'failed'; jobId: number; error: SerializedError };

/** Copies a batch's values into one buffer (a Kafka client's values are views of its fetch responses, which must not be transferred). */
export function packRecords(records: readonly SourceRecord[]): PackedRecords {
  const n = records.length;
  let total = 0;
  for (const r of records) total += r.value?.length ?? 0;
  const bytes = new Uint8Array(total);
  const starts = new Int32Array(n);
  const lengths = new Int32Array(n);
  const offsets = new Float64Array(n);
  const timestamps = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i] as SourceRecord;
    offsets[i] = r.offset;
    timestamps[i] = r.timestampMs;
    starts[i] = at;
    if (r.value === null) {
      lengths[i] = -1;
      continue;
    }
    bytes.set(r.value, at);
    lengths[i] = r.value.length;
    at += r.value.length;
  }
  return { topic: records[0]?.topic ?? '', bytes: bytes.buffer, starts, lengths, offsets, timestamps };
}

/** The buffers `packRecords` made, to transfer with the message. */
export function transferablesOf(packed: PackedRecords): ArrayBuffer[] {
  return [packed.bytes, packed.starts.buffer, packed.lengths.buffer, packed.offsets.buffer, packed.timestamps.buffer] as ArrayBuffer[];
}

/** The records again, as the decoder takes them (values are views of the one buffer; keys are not sent, no decoder reads them). */
export function unpackRecords(packed: PackedRecords, partition: number): SourceRecord[] {
  const records = new Array<SourceRecord>(packed.starts.length);
  for (let i = 0; i < records.length; i++) {
    const length = packed.lengths[i] as number;
    records[i] = {
      topic: packed.topic,
      partition,
      offset: packed.offsets[i] as number,
      timestampMs: packed.timestamps[i] as number,
      key: null,
      value: length < 0 ? null : Buffer.from(packed.bytes, packed.starts[i] as number, length),
    };
  }
  return records;
}
