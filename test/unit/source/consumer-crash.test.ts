import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { silentLogger } from '../../../src/log/logger.js';
import { KafkaSource, type SourceHandler } from '../../../src/source/kafka-source.js';
import { isRetryableKafkaError } from '../../../src/source/kafka-retry.js';
import { TukangError } from '../../../src/errors/catalogue.js';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

/** The few kafkajs consumer calls KafkaSource makes, recorded; events are emitted by the test. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  runs = 0;
  disconnects = 0;
  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(): Promise<void> {
    this.runs++;
  }
  async stop(): Promise<void> {}
  async disconnect(): Promise<void> {
    this.disconnects++;
  }
}

function fakeKafka(): { kafka: Kafka; consumers: FakeConsumer[] } {
  const consumers: FakeConsumer[] = [];
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchOffsets: async () => [{ topic: 'orders', partitions: [0, 1].map((partition) => ({ partition, offset: '10' })) }],
    fetchTopicOffsets: async () => [],
  };
  const kafka = {
    consumer: () => {
      const c = new FakeConsumer();
      consumers.push(c);
      return c;
    },
    admin: () => admin,
  };
  return { kafka: kafka as unknown as Kafka, consumers };
}

const until = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), 'condition not reached');
};

// Regression: after a broker restart that outlasted kafkajs's retries, kafkajs crashed the consumer
// without restarting it, and the service stayed up without ever consuming again.
test('a consumer that kafkajs crashed for good is replaced, and what it owned is revoked first', async () => {
  const { kafka, consumers } = fakeKafka();
  const assigned: number[] = [];
  const revoked: number[][] = [];
  const handler: SourceHandler = {
    onAssigned: async (_topic, partition) => void assigned.push(partition),
    onRevoked: (_topic, partitions) => void revoked.push([...partitions]),
    onBatch: async () => undefined,
  };
  const source = new KafkaSource(kafka, { groupId: 'g', topics: ['orders'], fromBeginning: true, sessionTimeoutMs: 10_000, fetchMaxBytes: 1 << 20 }, handler, silentLogger());
  await source.start();
  const first = consumers[0] as FakeConsumer;
  first.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [0, 1] } } });
  await until(() => assigned.length === 2);

  first.emit(EVENTS.CRASH, { payload: { error: new Error('boom'), groupId: 'g', restart: true } });
  assert.equal(consumers.length, 1, 'kafkajs restarts it itself: nothing to do');

  first.emit(EVENTS.CRASH, { payload: { error: new Error('retries exhausted'), groupId: 'g', restart: false } });
  await until(() => consumers.length === 2 && (consumers[1] as FakeConsumer).runs === 1);
  assert.deepEqual(revoked, [[0, 1]], 'everything the crashed consumer owned is revoked');
  assert.equal(first.disconnects, 1, 'the crashed consumer is disconnected');

  // The new member's assignment sets the partitions up again from the committed offsets.
  (consumers[1] as FakeConsumer).emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [1] } } });
  await until(() => assigned.length === 3);
  assert.equal(assigned[2], 1);
  await source.disconnect();
});

test('a consumer that cannot be replaced for a non-retryable reason is not retried; the handler hears of it', async () => {
  const { kafka, consumers } = fakeKafka();
  const failures: unknown[] = [];
  const handler: SourceHandler = {
    onAssigned: async () => undefined,
    onRevoked: () => undefined,
    onBatch: async () => undefined,
    onFailed: (err) => void failures.push(err),
  };
  const source = new KafkaSource(kafka, { groupId: 'g', topics: ['orders'], fromBeginning: true, sessionTimeoutMs: 10_000, fetchMaxBytes: 1 << 20 }, handler, silentLogger());
  await source.start();
  const denied = Object.assign(new Error('not authorized to access group'), { retriable: false });
  // Every consumer made from now on fails to start, as a broker refusing the group would.
  const original = kafka.consumer.bind(kafka);
  (kafka as unknown as { consumer: () => FakeConsumer }).consumer = () => {
    const c = original({ groupId: 'g' }) as unknown as FakeConsumer;
    c.run = async () => {
      throw denied;
    };
    return c;
  };
  (consumers[0] as FakeConsumer).emit(EVENTS.CRASH, { payload: { error: new Error('retries exhausted'), groupId: 'g', restart: false } });
  await until(() => failures.length === 1);
  assert.equal(failures[0], denied);
  // A retryable failure would make a third consumer after a 1 s backoff; a non-retryable one makes none.
  await new Promise((r) => setTimeout(r, 1_200));
  assert.equal(consumers.length, 2, 'one replacement attempt, no retry');
  await source.disconnect();
});

test('isRetryableKafkaError reads the catalogue flag, then kafkajs retriable, then the default', () => {
  assert.equal(isRetryableKafkaError(new TukangError('KAFKA_UNAVAILABLE', 'down')), true);
  assert.equal(isRetryableKafkaError(new TukangError('CONFIG_INVALID', 'bad')), false);
  assert.equal(isRetryableKafkaError(Object.assign(new Error('x'), { retriable: false })), false);
  assert.equal(isRetryableKafkaError(Object.assign(new Error('x'), { retriable: true }), false), true);
  assert.equal(isRetryableKafkaError(new Error('socket'), false), false);
  assert.equal(isRetryableKafkaError(new Error('socket')), true);
});
