import type { SourceRecord } from '../core/records.js';
import { topicOffsets, type TopicOffsets } from '../source/kafka-admin.js';
import type { KafkaClient } from '../source/kafka-client.js';
import { readRanges } from '../source/range-reader.js';
import type { ReplayRange } from './replay-types.js';

export type { TopicOffsets };

/**
 * The part of the bus a replay needs: what is still retained, and reading exact offset ranges.
 * An interface so that the replay logic (plan, cleanse, switch) is testable over an in-memory
 * lake with in-memory records; claims about Kafka itself are tested against a real broker.
 */
export interface ReplayBus {
  offsets(topic: string): Promise<TopicOffsets[]>;
  read(topic: string, ranges: ReplayRange[], topicPartitions: number[], onRecords: (records: SourceRecord[]) => void | Promise<void>, cancelled: () => boolean): Promise<void>;
}

export function kafkaBus(kafka: KafkaClient): ReplayBus {
  return {
    offsets: (topic) => topicOffsets(kafka, topic),
    read: async (topic, ranges, topicPartitions, onRecords, cancelled) => void (await readRanges(kafka, topic, ranges, topicPartitions, onRecords, cancelled)),
  };
}
