/**
 * Runs the real materializer in-process against the real Kafka and S3, and produces sample
 * events, for the end-to-end tests.
 */
import { Partitioners } from 'kafkajs';
import type { TukangConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { Materializer } from '../../src/materializer/materializer.js';
import type { DatasetPipeline } from '../../src/materializer/dataset-pipeline.js';
import { createKafka } from '../../src/source/kafka-client.js';
import type { SampleRecord } from '../../src/sample/order-events.js';
import type { S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { FIXED_DATE_LIMITS, realConfig, type RealStack } from './real-stack.js';
import { writeTempConfig } from './cli.js';

export const ORDER_COLUMNS = [
  { name: 'order_id', type: 'string', nullable: false },
  { name: 'customer_id', type: 'string', nullable: false },
  { name: 'status', type: 'string', nullable: false },
  { name: 'amount', type: 'float64', nullable: false },
  { name: 'currency', type: 'string', nullable: false },
  { name: 'items', type: 'int32', nullable: false },
  { name: 'coupon', type: 'string', nullable: true },
];

export function ordersConfig(topic: string, prefix: string, group: string, overrides: Record<string, unknown> = {}): TukangConfig {
  return realConfig({
    kafka: { group_id: group },
    s3: { prefix },
    materializer: { tick_interval: 200, memory_budget_mb: 256 },
    datasets: [
      {
        name: 'orders',
        topic,
        envelope: { type: 'nakadi' },
        limits: FIXED_DATE_LIMITS,
        schema: { columns: ORDER_COLUMNS, unknown_fields: 'keep_json' },
        watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1s' },
        files: { late_batch_window: '300ms' },
        ...overrides,
      },
    ],
  });
}

export async function produce(config: TukangConfig, topic: string, records: Iterable<SampleRecord>): Promise<number> {
  const kafka = createKafka(config.kafka, silentLogger());
  // Idempotent: a send retried around a broker restart must not write a record twice, or the
  // audit would find a rejected record more often in the dead-letter area than it was produced.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let batch: Array<{ key: string; value: string }> = [];
  let sent = 0;
  for (const r of records) {
    batch.push({ key: r.key, value: r.value });
    if (batch.length === 2000) {
      await producer.send({ topic, messages: batch });
      sent += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await producer.send({ topic, messages: batch });
  sent += batch.length;
  await producer.disconnect();
  return sent;
}

export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface RunningMaterializer {
  materializer: Materializer;
  pipeline: DatasetPipeline;
  stop(): Promise<void>;
}

export async function startMaterializer(config: TukangConfig, store: S3ObjectStore): Promise<RunningMaterializer> {
  const materializer = new Materializer(config, createKafka(config.kafka, silentLogger()), store, silentLogger());
  await materializer.start();
  const topic = config.datasets[0]?.topic ?? '';
  const pipeline = materializer.pipelines.get(topic);
  if (!pipeline) throw new Error('no pipeline');
  let stopped = false;
  return {
    materializer,
    pipeline,
    async stop() {
      if (stopped) return;
      stopped = true;
      await materializer.stop();
    },
  };
}

/** Committed offsets of a group, per partition (-1 when none). */
export async function committedOffsets(config: TukangConfig, topic: string): Promise<Map<number, number>> {
  const admin = createKafka(config.kafka, silentLogger()).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId: config.kafka.group_id, topics: [topic] });
    return new Map((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function endOffsets(config: TukangConfig, topic: string): Promise<Map<number, number>> {
  const admin = createKafka(config.kafka, silentLogger()).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** A config file for `tukang run` processes in the failure tests: short session timeout, small files; `datasetExtra` replaces dataset keys. */
export function serviceConfigFile(stack: RealStack, topic: string, group: string, extra: Record<string, unknown> = {}, datasetExtra: Record<string, unknown> = {}): string {
  return writeTempConfig({
    // Short enough that a killed member leaves the group quickly, long enough to survive a busy
    // 2-core machine (kafkajs heartbeats from its fetch loop).
    kafka: { brokers: stack.config.kafka.brokers, group_id: group, session_timeout: '6s' },
    s3: { endpoint: stack.config.s3.endpoint, bucket: stack.config.s3.bucket, prefix: stack.prefix },
    catalog: { enabled: false },
    log: { level: 'warn', format: 'json' },
    materializer: { tick_interval: 100 },
    datasets: [
      {
        name: 'orders',
        topic,
        envelope: { type: 'nakadi' },
        limits: FIXED_DATE_LIMITS,
        schema: { columns: ORDER_COLUMNS, unknown_fields: 'keep_json' },
        watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '6h', idle_timeout: '2s' },
        // Small files, so that kills land mid-encode, mid-upload and between commit steps often.
        files: { target_rows: 3_000, late_batch_window: '200ms' },
        ...datasetExtra,
      },
    ],
    ...extra,
  });
}

/** Waits until the group has committed every partition up to its end offset: all of it is durable. */
export async function untilAllCommitted(topic: string, group: string, timeoutMs: number, context: () => string): Promise<void> {
  const config = realConfig({ kafka: { group_id: group } });
  const ends = await endOffsets(config, topic);
  await until(
    async () => {
      const committed = await committedOffsets(config, topic);
      return [...ends].every(([p, end]) => committed.get(p) === end);
    },
    timeoutMs,
    () => `the group to commit every partition to its end\n${context()}`,
  );
}
