import type { KafkaClient } from './kafka-client.js';
import type { SourceRecord } from '../core/records.js';

/** Offsets `first`..`last` (inclusive) of one partition of a topic. */
export interface OffsetRange {
  partition: number;
  first: number;
  last: number;
}

/**
 * Reads exactly the given offset ranges of a topic again, in offset order per partition, with a
 * throw-away consumer group whose offsets are never committed. Resolves when every range has been
 * read to its last offset, or when `cancelled()` turns true.
 */
export async function readRanges(
  kafka: KafkaClient,
  topic: string,
  ranges: OffsetRange[],
  topicPartitions: number[],
  onRecords: (records: SourceRecord[]) => void | Promise<void>,
  cancelled: () => boolean,
): Promise<void> {
  const byPartition = new Map<number, OffsetRange[]>();
  for (const r of ranges) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  const remaining = new Map([...byPartition].map(([p, rs]) => [p, Math.max(...rs.map((r) => r.last))]));
  const consumer = kafka.consumer({ groupId: `tukang-replay-${process.pid}-${Date.now().toString(36)}`, allowAutoTopicCreation: false });
  await consumer.connect();
  let finish: () => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const wanted = byPartition.get(batch.partition);
        const until = remaining.get(batch.partition);
        if (!wanted || until === undefined) return;
        const records: SourceRecord[] = [];
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset > until) break;
          if (!wanted.some((r) => offset >= r.first && offset <= r.last)) continue;
          records.push({ topic, partition: batch.partition, offset, timestampMs: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null });
        }
        try {
          if (records.length > 0) await onRecords(records);
        } catch (err) {
          fail(err);
          return;
        }
        const lastInBatch = Number(batch.messages[batch.messages.length - 1]?.offset ?? -1);
        if (lastInBatch >= until) {
          remaining.delete(batch.partition);
          consumer.pause([{ topic, partitions: [batch.partition] }]);
        }
        if (remaining.size === 0 || cancelled()) finish();
      },
    });
    // Start each partition at its first wanted offset; the others are not read at all.
    const unwanted = topicPartitions.filter((p) => !byPartition.has(p));
    if (unwanted.length > 0) consumer.pause([{ topic, partitions: unwanted }]);
    for (const [partition, rs] of byPartition) consumer.seek({ topic, partition, offset: String(Math.min(...rs.map((r) => r.first))) });
    const ticker = setInterval(() => {
      if (cancelled()) finish();
    }, 200);
    try {
      await done;
    } finally {
      clearInterval(ticker);
    }
  } finally {
    await consumer.disconnect();
  }
}
