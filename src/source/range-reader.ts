import type { KafkaClient } from './kafka-client.js';
import type { SourceRecord } from '../core/records.js';
import { TukangError } from '../errors/catalogue.js';
import { topicOffsets } from './kafka-admin.js';
import { inRanges } from '../core/offset-ranges.js';

/** Offsets `first`..`last` (inclusive) of one partition of a topic. */
export interface OffsetRange {
  partition: number;
  first: number;
  last: number;
}

/**
 * Reads exactly the given offset ranges of a topic again, in offset order per partition, with a
 * throw-away consumer group whose offsets are never committed. Resolves when every range has been
 * read to its last offset (true), or when `cancelled()` turns true (false).
 */
export async function readRanges(
  kafka: KafkaClient,
  topic: string,
  ranges: OffsetRange[],
  topicPartitions: number[],
  onRecords: (records: SourceRecord[]) => void | Promise<void>,
  cancelled: () => boolean,
  groupPrefix = 'tukang-replay',
): Promise<boolean> {
  const byPartition = new Map<number, OffsetRange[]>();
  for (const r of ranges) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  const remaining = new Map([...byPartition].map(([p, rs]) => [p, Math.max(...rs.map((r) => r.last))]));
  const consumer = kafka.consumer({ groupId: `${groupPrefix}-${process.pid}-${Date.now().toString(36)}`, allowAutoTopicCreation: false });
  await consumer.connect();
  let finish: (complete: boolean) => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const done = new Promise<boolean>((resolve, reject) => {
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
          if (!inRanges(offset, wanted)) continue;
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
        if (remaining.size === 0) finish(true);
        else if (cancelled()) finish(false);
      },
    });
    // Start each partition at its first wanted offset; the others are not read at all.
    const unwanted = topicPartitions.filter((p) => !byPartition.has(p));
    if (unwanted.length > 0) consumer.pause([{ topic, partitions: unwanted }]);
    for (const [partition, rs] of byPartition) consumer.seek({ topic, partition, offset: String(Math.min(...rs.map((r) => r.first))) });
    const ticker = setInterval(() => {
      if (cancelled()) finish(false);
    }, 200);
    try {
      return await done;
    } finally {
      clearInterval(ticker);
    }
  } finally {
    await consumer.disconnect();
  }
}

/** Sorted distinct offsets as inclusive runs of consecutive offsets. */
export function offsetRuns(partition: number, offsets: readonly number[]): OffsetRange[] {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const runs: OffsetRange[] = [];
  for (const offset of sorted) {
    const last = runs[runs.length - 1];
    if (last && offset === last.last + 1) last.last = offset;
    else runs.push({ partition, first: offset, last: offset });
  }
  return runs;
}

/**
 * The records at `offsets` of one partition, read again from Kafka, by offset. Offsets below the
 * partition's earliest retained one are gone for good and missing from the answer. Throws
 * KAFKA_UNAVAILABLE when the rest were not all read within `timeoutMs` (the caller retries).
 */
export async function readOffsets(kafka: KafkaClient, topic: string, partition: number, offsets: readonly number[], timeoutMs = 60_000): Promise<Map<number, SourceRecord>> {
  const found = new Map<number, SourceRecord>();
  const partitions = await topicOffsets(kafka, topic);
  const earliest = partitions.find((p) => p.partition === partition)?.low ?? 0;
  const wanted = new Set(offsets.filter((o) => o >= earliest));
  if (wanted.size === 0) return found;
  const deadline = Date.now() + timeoutMs;
  const ranges = offsetRuns(partition, [...wanted]);
  const onRecords = (records: SourceRecord[]): void => {
    for (const r of records) if (wanted.has(r.offset)) found.set(r.offset, r);
  };
  const complete = await readRanges(kafka, topic, ranges, partitions.map((p) => p.partition), onRecords, () => Date.now() > deadline, 'tukang-reread');
  // A complete read may still lack offsets (a compacted topic removed them): those are gone too.
  const unread = [...wanted].filter((o) => !found.has(o));
  if (!complete && unread.length > 0) throw new TukangError('KAFKA_UNAVAILABLE', `re-reading ${topic}/${partition} stopped after ${timeoutMs} ms with ${unread.length} of ${wanted.size} records unread (first: offset ${Math.min(...unread)})`);
  return found;
}
