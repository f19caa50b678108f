import type { KafkaClient } from './kafka-client.js';

/** What Kafka still holds of one source partition: offsets low..high-1. */
export interface TopicOffsets {
  partition: number;
  low: number;
  high: number;
}

/** Where a consumer group stands on a topic: the log's bounds and the group's committed offsets. */
export interface GroupProgress {
  ends: TopicOffsets[];
  /** Next offset to read per partition; partitions without a commit are absent. */
  committed: Map<number, number>;
}

/** The retained offsets of every partition of a topic. */
export async function topicOffsets(kafka: KafkaClient, topic: string): Promise<TopicOffsets[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map(toTopicOffsets);
  } finally {
    await admin.disconnect();
  }
}

/** The log bounds of a topic and a group's committed offsets on it, read over one admin connection. */
export async function groupProgress(kafka: KafkaClient, groupId: string, topic: string): Promise<GroupProgress> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const byPartition = new Map<number, number>();
    for (const p of committed[0]?.partitions ?? []) {
      const offset = Number(p.offset);
      if (offset >= 0) byPartition.set(p.partition, offset);
    }
    return { ends: ends.map(toTopicOffsets), committed: byPartition };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Resolves when the cluster answers a metadata request; rejects with kafkajs's error otherwise. */
export async function describeCluster(kafka: KafkaClient): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function toTopicOffsets(o: { partition: number; low: string; high: string }): TopicOffsets {
  return { partition: o.partition, low: Number(o.low), high: Number(o.high) };
}
