/**
 * The shapes that travel down the pipeline: source → cleansing → writing.
 * Offsets are plain numbers: Kafka offsets stay far below 2^53 in practice, and numbers sort and
 * compare an order of magnitude faster than bigint or strings on the hot path.
 */

/** One Kafka record as the source hands it to cleansing. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The Kafka record timestamp, epoch milliseconds. */
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** A column value after validation. Structs are plain objects, lists are arrays, timestamps epoch ms. */
export type CellValue = string | number | bigint | boolean | null | CellValue[] | { [field: string]: CellValue };

/** A decoded and validated event, ready to be buffered. */
export interface CleanEvent {
  eventId: string;
  /** Event time, epoch milliseconds UTC. */
  eventTimeMs: number;
  /** One value per data column of the dataset's ResolvedSchema, in that order. */
  values: CellValue[];
  /** Values of the dataset's partitioning fields, as strings, in config order. */
  partitionValues: string[];
}

/** Why a record went to the dead-letter area. Stable codes: loaders and dashboards group by them. */
export const REJECT_REASONS = [
  'empty_record',
  'too_large',
  'not_utf8',
  'bad_json',
  'bad_envelope',
  'missing_event_id',
  'missing_event_time',
  'bad_event_time',
  'event_time_out_of_bounds',
  'schema_violation',
  'unknown_field',
  /** Decoded fine, but its buffer's flush failed for a reason retrying cannot fix (ENCODE_FAILED). */
  'unflushable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type DecodeResult = { ok: true; event: CleanEvent } | { ok: false; reason: RejectReason; message: string };

/** Names of the lineage columns every data file carries after the dataset's own columns. */
export const LINEAGE_COLUMNS = {
  eventId: '_event_id',
  eventTime: '_event_time',
  topic: '_source_topic',
  partition: '_source_partition',
  offset: '_source_offset',
  receivedAt: '_received_at',
} as const;

/** The column that keeps unknown fields as JSON when a dataset's schema says `unknown_fields: keep_json`. */
export const EXTRA_COLUMN = '_extra';
