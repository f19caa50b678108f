import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { realStack, uniqueName } from '../helpers/real-stack.js';

test('a record produced to the real broker comes back to a consumer group, with its partition and offset', async (t) => {
  const stack = await realStack(t, 'roundtrip');
  const topic = await stack.createTopic(3);
  const kafka = createKafka(stack.config.kafka, silentLogger());

  const producer = kafka.producer();
  await producer.connect();
  const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: JSON.stringify({ n: i }) }));
  await producer.send({ topic, messages: sent });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: uniqueName('roundtrip-group') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Array<{ partition: number; offset: string; n: number }> = [];
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, offset: message.offset, n: (JSON.parse(String(message.value)) as { n: number }).n });
        if (received.length === sent.length) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${received.length} of 30 arrived`)), 30_000))]);
  await consumer.disconnect();

  assert.deepEqual(
    received.map((r) => r.n).sort((a, b) => a - b),
    sent.map((_, i) => i),
  );
  // The same key lands in the same partition, and offsets count up from 0 in each partition.
  const partitions = new Set(received.map((r) => r.partition));
  assert.ok(partitions.size >= 2, 'keys spread over several partitions');
  for (const p of partitions) {
    const offsets = received.filter((r) => r.partition === p).map((r) => Number(r.offset));
    assert.deepEqual(offsets, offsets.map((_, i) => i));
  }
});
