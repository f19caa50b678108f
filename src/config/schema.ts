/**
 * The configuration schema: every key, its type and its default, in one place. Unknown keys are
 * rejected everywhere (strict objects), and cross-field rules live in the refinements at the end.
 * docs/configuration.md documents the same keys for people.
 */
import { z } from 'zod';
import { durationMs } from './duration.js';
import { catalogSchema } from './catalog-schema.js';
import { icebergSchema } from './iceberg-schema.js';
import { scalarTypes, type ScalarType } from '../core/resolved-schema.js';

const name = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and underscores, starting with a letter');

export const kafkaSchema = z.strictObject({
  brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')).min(1).default(['127.0.0.1:9092']),
  client_id: z.string().min(1).default('tukang'),
  group_id: z.string().min(1).default('tukang'),
  /** Where a consumer group without committed offsets starts. */
  start_from: z.enum(['earliest', 'latest']).default('earliest'),
  /** A member that stops heartbeating for this long leaves the group; at least the broker's group.min.session.timeout.ms. */
  session_timeout: durationMs.default(30_000),
  connection_timeout: durationMs.default(3_000),
});

export const s3Schema = z.strictObject({
  /** null means the AWS default endpoint for the region. */
  endpoint: z.string().url().nullable().default('http://127.0.0.1:4566'),
  region: z.string().min(1).default('us-east-1'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name').default('tukang-lake'),
  /** Key prefix under which the whole lake lives; empty for the bucket root. */
  prefix: z.string().regex(/^([A-Za-z0-9_.-]+\/)*$/, 'must be empty or end with "/"').default(''),
  force_path_style: z.boolean().default(true),
  access_key_id: z.string().nullable().default('test'),
  secret_access_key: z.string().nullable().default('test'),
  /** Create the bucket at start-up when it is missing (convenient for the local stack). */
  create_bucket: z.boolean().default(true),
  /** A connection to S3 that takes longer than this to open is abandoned and retried. */
  connect_timeout: durationMs.default(5_000),
  /** A request whose connection stays silent this long (a stalled S3 node or proxy) fails and is retried. */
  idle_timeout: durationMs.default(30_000),
});

export const stackSchema = z.strictObject({
  kafka_port: z.number().int().min(1).max(65_535).default(9092),
  kafka_controller_port: z.number().int().min(1).max(65_535).default(9093),
  s3_port: z.number().int().min(1).max(65_535).default(4566),
  /** Where jars, the LocalStack virtualenv, data and logs of the local stack live. Outside git. */
  home: z.string().min(1).nullable().default(null),
  ready_timeout: durationMs.default(120_000),
});

export const logSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  format: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

export const materializerSchema = z.strictObject({
  /** Memory for buffered rows across all datasets and partitions; the largest buffers flush early past it. */
  memory_budget_mb: z.number().int().min(16).default(256),
  encode_workers: z.number().int().min(1).max(16).default(1),
  /** Worker threads that decode, keep the buffered values and encode live files; 0 does all of it on the main thread (with the encode workers). */
  row_workers: z.number().int().min(0).max(16).default(1),
  shutdown_timeout: durationMs.default(30_000),
  /** How often open buffers are checked for watermark and idle flushes. */
  tick_interval: durationMs.default(1_000),
  /** How long the completeness check reuses its listing of open markers when this process changed none (markers of other processes are seen this late). */
  open_list_interval: durationMs.default(180_000),
  /** How often a source checkpoint that moved within a time partition is written; a change that can complete a partition is written at once. */
  checkpoint_interval: durationMs.default(5_000),
});

export const replaySchema = z.strictObject({
  /** How long the files of a superseded partition version stay for loaders still reading it; `tukang gc` deletes them after. */
  retention: durationMs.default(7 * 86_400_000),
  /** How often the service itself collects garbage (as `tukang gc` does); 0 leaves it to `tukang gc`. */
  gc_interval: durationMs.default(3_600_000),
});

// ---- datasets ---------------------------------------------------------------------------------

export { scalarTypes, type ScalarType };

export interface ColumnConfig {
  name: string;
  type: ScalarType | 'struct' | 'list';
  nullable: boolean;
  description: string;
  /** Dotted path into the event payload; defaults to the column name. */
  path?: string | undefined;
  /** For struct columns. */
  fields?: ColumnConfig[] | undefined;
  /** For list columns: the element type. */
  items?: ColumnConfig | undefined;
}

export const columnSchema: z.ZodType<ColumnConfig, unknown> = z.lazy(() =>
  z
    .strictObject({
      name: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be snake_case'),
      type: z.enum([...scalarTypes, 'struct', 'list']),
      nullable: z.boolean().default(true),
      description: z.string().default(''),
      path: z.string().min(1).optional(),
      fields: z.array(columnSchema).min(1).optional(),
      items: columnSchema.optional(),
    })
    .superRefine((col, ctx) => {
      if (col.type === 'struct' && !col.fields) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a struct column needs fields' });
      if (col.type === 'list' && !col.items) ctx.addIssue({ code: 'custom', path: ['items'], message: 'a list column needs items' });
      if (col.type !== 'struct' && col.fields) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'only struct columns take fields' });
      if (col.type !== 'list' && col.items) ctx.addIssue({ code: 'custom', path: ['items'], message: 'only list columns take items' });
    }),
);

const envelopeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('nakadi') }),
  z.strictObject({ type: z.literal('cloudevents') }),
  z.strictObject({ type: z.literal('debezium') }),
  z.strictObject({
    type: z.literal('json'),
    /** Dotted path of the event id. */
    id_path: z.string().min(1),
    /** Dotted path of the event time (RFC 3339 string or epoch milliseconds); null to use the Kafka timestamp. */
    time_path: z.string().min(1).nullable(),
    /** Use the Kafka record timestamp when the time path is missing in an event. */
    time_fallback: z.enum(['reject', 'kafka_timestamp']).default('reject'),
  }),
]);

const schemaSourceSchema = z
  .strictObject({
    columns: z.array(columnSchema).min(1).optional(),
    /** A JSON Schema document (an object schema) from which columns are derived. */
    json_schema: z.record(z.string(), z.unknown()).optional(),
    /** How nested objects of a JSON Schema become columns. */
    nested: z.enum(['flatten', 'struct']).default('struct'),
    /** Fields of an event that no column names. */
    unknown_fields: z.enum(['reject', 'keep_json', 'ignore']).default('keep_json'),
  })
  .superRefine((s, ctx) => {
    if ((s.columns === undefined) === (s.json_schema === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "columns" or "json_schema"' });
    }
  });

export const datasetSchema = z
  .strictObject({
    name,
    topic: z.string().min(1),
    description: z.string().default(''),
    envelope: envelopeSchema,
    schema: schemaSourceSchema,
    partitioning: z
      .strictObject({
        granularity: z.enum(['hour', 'day']).default('hour'),
        /** Payload columns whose values also partition the data (after the time keys). */
        fields: z.array(z.string()).default([]),
      })
      .prefault({}),
    watermark: z
      .strictObject({
        max_out_of_orderness: durationMs.default(60_000),
        allowed_lateness: durationMs.default(600_000),
        dedup_window: durationMs.default(3_600_000),
        /** A source partition with no records for this long stops holding completeness back. */
        idle_timeout: durationMs.default(300_000),
      })
      .prefault({}),
    files: z
      .strictObject({
        target_rows: z.number().int().min(1).default(1_000_000),
        target_bytes: z.number().int().min(1024).default(128 * 1024 * 1024),
        compression: z.enum(['zstd', 'snappy', 'gzip', 'lz4_raw', 'uncompressed']).default('zstd'),
        row_group_rows: z.number().int().min(1).default(100_000),
        /** Late rows (for partitions already flushed) are collected this long before they are written. */
        late_batch_window: durationMs.default(60_000),
        /** A buffer open this long is written even though its partition is not due: bounds visibility latency; 0 turns it off. */
        max_buffer_age: durationMs.default(0),
      })
      .prefault({}),
    /** Rewrites a complete partition's files into as few sorted files as `files.target_rows`/`target_bytes` allow. */
    compaction: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** A complete partition with fewer files than this is left as it is. */
        min_files: z.number().int().min(2).default(2),
      })
      .prefault({}),
    late_data: z.enum(['new_version', 'side_table']).default('new_version'),
    limits: z
      .strictObject({
        max_record_bytes: z.number().int().min(64).default(1024 * 1024),
        /** Events older than this (relative to the time Tukang receives them) are rejected. */
        max_past: durationMs.default(366 * 86_400_000),
        /** Events further in the future than this are rejected. */
        max_future: durationMs.default(86_400_000),
      })
      .prefault({}),
  })
  .superRefine((d, ctx) => {
    if (d.watermark.dedup_window < d.watermark.allowed_lateness) {
      ctx.addIssue({
        code: 'custom',
        path: ['watermark', 'dedup_window'],
        message: 'must be at least watermark.allowed_lateness, or late duplicates would pass',
      });
    }
  });

export const configSchema = z
  .strictObject({
    kafka: kafkaSchema.prefault({}),
    s3: s3Schema.prefault({}),
    catalog: catalogSchema.prefault({}),
    stack: stackSchema.prefault({}),
    log: logSchema.prefault({}),
    materializer: materializerSchema.prefault({}),
    replay: replaySchema.prefault({}),
    iceberg: icebergSchema.prefault({}),
    datasets: z.array(datasetSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.datasets.forEach((d, i) => {
      const first = seen.get(d.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['datasets', i, 'name'], message: `duplicates datasets[${first}].name` });
      seen.set(d.name, i);
    });
    // One pipeline per topic: a second dataset on the same topic would silently replace the first.
    // Several datasets fed by one topic (each its own schema and counters) are not supported yet.
    const topics = new Map<string, number>();
    c.datasets.forEach((d, i) => {
      const first = topics.get(d.topic);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['datasets', i, 'topic'],
          message: `topic "${d.topic}" is already read by datasets[${first}] ("${c.datasets[first]?.name ?? ''}"); each topic feeds one dataset`,
        });
      }
      topics.set(d.topic, i);
    });
    if (c.stack.kafka_port === c.stack.kafka_controller_port) {
      ctx.addIssue({ code: 'custom', path: ['stack', 'kafka_controller_port'], message: 'must differ from stack.kafka_port' });
    }
  });

export type TukangConfig = z.output<typeof configSchema>;
export type DatasetConfig = z.output<typeof datasetSchema>;
export type EnvelopeConfig = DatasetConfig['envelope'];
