/**
 * Shared pieces of the benchmark: settings aimed at the local stack, Kafka topic and offset
 * helpers, the producer that records when each offset range was sent, and small statistics.
 */
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { parseConfig } from '../../src/config/load.js';
import type { TukangConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import type { SampleRecord } from '../../src/sample/order-events.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { createS3Client, S3ObjectStore } from '../../src/storage/s3-object-store.js';

// Node 20 is supported; the AWS SDK's notice about its 2027 releases is noise here.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export const BENCH_BUCKET = 'tukang-bench';
/**
 * The catalog's 100,000-partition fixture lives in a bucket of its own: LocalStack answers every
 * ListObjectsV2 in time proportional to the whole bucket (~300 ms at 100,000 objects against
 * ~50 ms), which would slow the pipeline runs' listings and skew their figures.
 */
export const CATALOG_BENCH_BUCKET = 'tukang-bench-catalog';

export const ORDER_COLUMNS = [
  { name: 'order_id', type: 'string', nullable: false },
  { name: 'customer_id', type: 'string', nullable: false },
  { name: 'status', type: 'string', nullable: false },
  { name: 'amount', type: 'float64', nullable: false },
  { name: 'currency', type: 'string', nullable: false },
  { name: 'items', type: 'int32', nullable: false },
  { name: 'coupon', type: 'string', nullable: true },
];

export function brokers(): string[] {
  return (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
}

export function s3Endpoint(): string {
  return process.env['S3_ENDPOINT'] ?? 'http://127.0.0.1:4566';
}

export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A parsed config for in-process use (decoder, schema) and the bench's own clients. */
export function benchConfig(raw: Record<string, unknown>): TukangConfig {
  return parseConfig({ ...raw, log: { level: 'silent' } });
}

export function benchKafka(): Kafka {
  return createKafka(benchConfig({ kafka: { brokers: brokers(), client_id: 'tukang-bench' } }).kafka, silentLogger());
}

export function benchStore(bucket = BENCH_BUCKET): S3ObjectStore {
  const config = benchConfig({ s3: { endpoint: s3Endpoint(), bucket } });
  return new S3ObjectStore(createS3Client(config.s3), bucket);
}

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: false });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        if ((meta.topics[0]?.partitions.filter((p) => p.leader >= 0).length ?? 0) === partitions) break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no leaders after 30 s`);
      await sleep(100);
    }
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** When a range of offsets of one partition was handed to the producer. */
export interface SendRange {
  partition: number;
  baseOffset: number;
  count: number;
  sentAtMs: number;
}

export interface ProduceResult {
  records: number;
  bytes: number;
  ms: number;
  ranges: SendRange[];
}

/** A stable partition per key (FNV-1a), so that the bench knows which partition each record went to. */
function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}

/**
 * Produces the records in batches, `inFlight` sends at a time. With `ratePerSec`, batches are
 * paced to that rate (live traffic); without, as fast as the broker takes them (a backlog).
 */
export async function produce(
  kafka: Kafka,
  topic: string,
  partitions: number,
  records: Iterable<SampleRecord>,
  options: { batch?: number; inFlight?: number; ratePerSec?: number; recordRanges?: boolean } = {},
): Promise<ProduceResult> {
  const batchSize = options.batch ?? 2_000;
  const inFlight = options.ratePerSec ? 1 : (options.inFlight ?? 4);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const ranges: SendRange[] = [];
  const pending = new Set<Promise<void>>();
  let batch: Array<{ key: string; value: string; partition: number }> = [];
  let sent = 0;
  let bytes = 0;
  const started = Date.now();
  const send = async (messages: Array<{ key: string; value: string; partition: number }>): Promise<void> => {
    const sentAtMs = Date.now();
    const counts = new Map<number, number>();
    for (const m of messages) counts.set(m.partition, (counts.get(m.partition) ?? 0) + 1);
    const meta = await producer.send({ topic, messages, acks: -1 });
    if (options.recordRanges) {
      for (const m of meta) ranges.push({ partition: m.partition, baseOffset: Number(m.baseOffset), count: counts.get(m.partition) ?? 0, sentAtMs });
    }
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const messages = batch;
    batch = [];
    if (options.ratePerSec) {
      const due = started + (sent / options.ratePerSec) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    sent += messages.length;
    const p = send(messages).finally(() => pending.delete(p));
    pending.add(p);
    while (pending.size >= inFlight) await Promise.race(pending);
  };
  for (const r of records) {
    batch.push({ key: r.key, value: r.value, partition: partitionOf(r.key, partitions) });
    bytes += r.value.length;
    if (batch.length === batchSize) await flush();
  }
  await flush();
  await Promise.all(pending);
  const ms = Date.now() - started;
  await producer.disconnect();
  return { records: sent, bytes, ms, ranges };
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
