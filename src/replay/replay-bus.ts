import type { Kafka } from 'kafkajs';
import type { SourceRecord } from '../core/records.js';
import { readRanges } from './range-reader.js';
import type { ReplayRange } from './replay-types.js';

/** What Kafka still holds of one source partition: offsets low..high-1. */
export interface TopicOffsets {
  partition: number;
  low: number;
  high: number;
}

/**
 * The part of the bus a replay needs: what is still retained, and reading exact offset ranges.
 * An interface so that the replay logic (plan, cleanse, switch) is testable over an in-memory
 * lake with in-memory records; claims about Kafka itself are tested against a real broker.
 */
export interface ReplayBus {
  offsets(topic: string): Promise<TopicOffsets[]>;
  read(topic: string, ranges: ReplayRange[], topicPartitions: number[], onRecords: (records: SourceRecord[]) => void, cancelled: () => boolean): Promise<void>;
}

export function kafkaBus(kafka: Kafka): ReplayBus {
  return {
    async offsets(topic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
      } finally {
        await admin.disconnect();
      }
    },
    read: (topic, ranges, topicPartitions, onRecords, cancelled) => readRanges(kafka, topic, ranges, topicPartitions, onRecords, cancelled),
  };
}
