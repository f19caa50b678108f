/**
 * Connection settings for the real Kafka and S3 the integration tests run against, plus
 * per-test isolation: a unique topic, group and key prefix, cleaned up after the test.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import type { TukangConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { listAll } from '../../src/storage/object-store.js';
import { createS3Client, S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { resolveHome } from '../../src/stack/layout.js';
import { stackUp } from '../../src/stack/stack.js';

export const TEST_BUCKET = 'tukang-test';

/**
 * The integration tests produce events at fixed dates (November 2026), so that partition paths
 * can be asserted. The default `limits.max_past` (366 days) would start rejecting them a year on;
 * datasets in these tests accept any past time instead.
 */
export const FIXED_DATE_LIMITS = { max_past: '36500d' } as const;

let ensured: Promise<void> | undefined;

/** When run through `npm test` the stack is up and the env is set; a lone test file starts it. */
async function ensureStack(): Promise<void> {
  if (process.env['KAFKA_BROKERS'] && process.env['S3_ENDPOINT']) return;
  const config = parseConfig({});
  const status = await stackUp({
    home: resolveHome(null),
    ports: { kafka: config.stack.kafka_port, kafkaController: config.stack.kafka_controller_port, s3: config.stack.s3_port },
    readyTimeoutMs: config.stack.ready_timeout,
    log: () => undefined,
  });
  process.env['KAFKA_BROKERS'] = status.brokers;
  process.env['S3_ENDPOINT'] = status.s3_endpoint;
}

export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A config aimed at the real servers, with the test bucket. Extra keys are merged in. */
export function realConfig(extra: Record<string, unknown> = {}): TukangConfig {
  return parseConfig({
    ...extra,
    kafka: { brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), ...(extra['kafka'] as object | undefined) },
    s3: { endpoint: process.env['S3_ENDPOINT'] ?? 'http://127.0.0.1:4566', bucket: TEST_BUCKET, ...(extra['s3'] as object | undefined) },
    log: { level: 'silent' },
  });
}

export interface RealStack {
  config: TukangConfig;
  store: S3ObjectStore;
  /** A key prefix no other test uses; everything under it is deleted after the test. */
  prefix: string;
  createTopic(partitions: number, label?: string): Promise<string>;
}

export async function realStack(t: TestContext, label: string): Promise<RealStack> {
  ensured ??= ensureStack();
  await ensured;
  const config = realConfig();
  const store = new S3ObjectStore(createS3Client(config.s3), TEST_BUCKET);
  await store.ensureBucket(true);
  const prefix = `${uniqueName(label)}/`;
  const topics: string[] = [];
  const kafka = createKafka(config.kafka, silentLogger());

  t.after(async () => {
    const keys: string[] = [];
    for await (const object of listAll(store, prefix)) keys.push(object.key);
    if (keys.length > 0) await store.delete(keys);
    if (topics.length > 0) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  return {
    config,
    store,
    prefix,
    async createTopic(partitions: number, topicLabel = label): Promise<string> {
      const topic = uniqueName(topicLabel);
      const admin = kafka.admin();
      await admin.connect();
      topics.push(topic);
      try {
        // kafkajs's own wait for leaders can fail while the broker's metadata catches up
        // (UNKNOWN_TOPIC_OR_PARTITION): create without it, then poll the metadata ourselves.
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: false });
        const deadline = Date.now() + 30_000;
        for (;;) {
          try {
            const meta = await admin.fetchTopicMetadata({ topics: [topic] });
            const ready = meta.topics[0]?.partitions.filter((p) => p.leader >= 0).length ?? 0;
            if (ready === partitions) break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
          }
          if (Date.now() > deadline) throw new Error(`topic ${topic} has no leaders after 30 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await admin.disconnect();
      }
      return topic;
    },
  };
}
