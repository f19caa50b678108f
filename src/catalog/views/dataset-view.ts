import type { DatasetConfig } from '../../config/schema.js';
import type { ResolvedColumn } from '../../core/resolved-schema.js';
import { LINEAGE_COLUMNS } from '../../core/records.js';
import { resolveSchema } from '../../cleansing/schema/resolve-schema.js';
import type { DatasetIndex, PartitionEntry, Totals } from '../index/dataset-index.js';
import { datasetHref } from './links.js';

export function partitionRef(e: PartitionEntry | undefined): Record<string, unknown> | null {
  return e ? { id: e.id, start_at: e.startAt, end_at: e.endAt } : null;
}

export function countsView(t: Totals): Record<string, number> {
  return { total: t.total, complete: t.complete, open: t.open, rows: t.rows, bytes: t.bytes };
}

export function datasetSummary(base: string, d: DatasetConfig, index: DatasetIndex): Record<string, unknown> {
  return {
    name: d.name,
    description: d.description,
    topic: d.topic,
    granularity: d.partitioning.granularity,
    partitions: countsView(index.totals()),
    newest_complete_partition: partitionRef(index.newestComplete()),
    href: datasetHref(base, d.name),
  };
}

function columnView(c: ResolvedColumn): Record<string, unknown> {
  const view: Record<string, unknown> = { name: c.name, type: c.type, nullable: c.nullable, description: c.description };
  if (c.fields) view['fields'] = c.fields.map(columnView);
  if (c.items) view['items'] = columnView(c.items);
  return view;
}

const LINEAGE: Array<Record<string, unknown>> = [
  { name: LINEAGE_COLUMNS.eventId, type: 'string', nullable: false, description: 'Event id (deduplication key).' },
  { name: LINEAGE_COLUMNS.eventTime, type: 'timestamp', nullable: false, description: 'Event time, UTC; rows are sorted by it.' },
  { name: LINEAGE_COLUMNS.topic, type: 'string', nullable: false, description: 'Source Kafka topic.' },
  { name: LINEAGE_COLUMNS.partition, type: 'int32', nullable: false, description: 'Source Kafka partition.' },
  { name: LINEAGE_COLUMNS.offset, type: 'int64', nullable: false, description: 'Source Kafka offset.' },
  { name: LINEAGE_COLUMNS.receivedAt, type: 'timestamp', nullable: false, description: 'When Tukang received the record, UTC.' },
];

const resolved = new WeakMap<DatasetConfig, Record<string, unknown>>();

export function schemaView(d: DatasetConfig): Record<string, unknown> {
  const cached = resolved.get(d);
  if (cached) return cached;
  const schema = resolveSchema(d);
  const view =  { version: schema.version, columns: schema.columns.map(columnView), lineage_columns: LINEAGE, unknown_fields: d.schema.unknown_fields };
  resolved.set(d, view);
  return view;
}

export function partitioningView(d: DatasetConfig): Record<string, unknown> {
  const time = d.partitioning.granularity === 'hour' ? 'event_date={yyyy-mm-dd}/event_hour={hh}' : 'event_date={yyyy-mm-dd}';
  return {
    granularity: d.partitioning.granularity,
    fields: d.partitioning.fields,
    path_template: [`${d.name}/${time}`, ...d.partitioning.fields.map((f) => `${f}={${f}}`)].join('/'),
  };
}

export function watermarkView(d: DatasetConfig): Record<string, number> {
  return {
    max_out_of_orderness_ms: d.watermark.max_out_of_orderness,
    allowed_lateness_ms: d.watermark.allowed_lateness,
    dedup_window_ms: d.watermark.dedup_window,
    idle_timeout_ms: d.watermark.idle_timeout,
  };
}
