import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { createKafka } from '../../src/source/kafka-client.js';
import { offsetRuns, readOffsets } from '../../src/source/range-reader.js';
import { realStack } from '../helpers/real-stack.js';

test('offsets become runs of consecutive offsets', () => {
  assert.deepEqual(offsetRuns(3, [9, 2, 3, 4, 4, 15]), [
    { partition: 3, first: 2, last: 4 },
    { partition: 3, first: 9, last: 9 },
    { partition: 3, first: 15, last: 15 },
  ]);
  assert.deepEqual(offsetRuns(0, []), []);
});

// What a flush that fails for good relies on for its dead letters (buffers keep no copy of the records).
test('the records at given offsets of one partition are read again from the real broker; offsets retention dropped are absent', { timeout: 90_000 }, async (t) => {
  const stack = await realStack(t, 'reread');
  const topic = await stack.createTopic(2);
  const kafka = createKafka(stack.config.kafka, silentLogger());
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ partition: 1, key: `k${i}`, value: `v${i}` })) });
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `other${i}` })) });
  await producer.disconnect();

  const found = await readOffsets(kafka, topic, 1, [15, 2, 3, 4, 9]);
  assert.deepEqual([...found.keys()].sort((a, b) => a - b), [2, 3, 4, 9, 15]);
  for (const [offset, record] of found) {
    assert.deepEqual({ partition: record.partition, key: record.key?.toString(), value: record.value?.toString() }, { partition: 1, key: `k${offset}`, value: `v${offset}` });
  }

  // Retention (here: an explicit delete) moves the partition's earliest offset to 5.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.fetchTopicMetadata({ topics: [topic] }); // deleteTopicRecords needs it loaded
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 1, offset: '5' }] });
  } finally {
    await admin.disconnect();
  }
  const after = await readOffsets(kafka, topic, 1, [3, 4, 5, 19]);
  assert.deepEqual([...after.keys()].sort((a, b) => a - b), [5, 19]);
  assert.equal((await readOffsets(kafka, topic, 1, [0, 1])).size, 0, 'nothing left to read: no consumer needed');
});
