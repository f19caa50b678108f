/**
 * The ceilings the pipeline is compared with, on the same data: how fast the Kafka clients can
 * fetch and discard the topic, and how fast the same rows encode to Parquet.
 */
import { performance } from 'node:perf_hooks';
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import type { Kafka } from 'kafkajs';
import type { DatasetConfig } from '../../src/config/schema.js';
import type { CleanEvent, SourceRecord } from '../../src/core/records.js';
import { createDecoder } from '../../src/cleansing/decode.js';
import { resolveSchema } from '../../src/cleansing/schema/resolve-schema.js';
import type { SampleRecord } from '../../src/sample/order-events.js';
import { rowBatchToIPC } from '../../src/writing/parquet/arrow-columns.js';
import { ParquetEncoderPool } from '../../src/writing/parquet/encoder-pool.js';
import { RowBatchBuilder } from '../../src/buffering/row-batch.js';
import { brokers, uniqueName } from './common.js';

export interface ConsumeCeiling {
  client: string;
  records: number;
  bytes: number;
  ms: number;
  eventsPerSec: number;
  mibPerSec: number;
}

function ceiling(client: string, records: number, bytes: number, ms: number): ConsumeCeiling {
  return { client, records, bytes, ms: Math.round(ms), eventsPerSec: Math.round(records / (ms / 1000)), mibPerSec: Math.round((bytes / 1048576 / (ms / 1000)) * 10) / 10 };
}

/** kafkajs, configured as the service's source is (eachBatch, same fetch sizes): fetch and discard. */
export async function kafkajsCeiling(kafka: Kafka, topic: string, total: number, fetchMaxBytes: number, timeoutMs: number): Promise<ConsumeCeiling> {
  const consumer = kafka.consumer({
    groupId: uniqueName('bench-kafkajs'),
    maxBytesPerPartition: Math.min(4 * 1024 * 1024, fetchMaxBytes),
    maxBytes: fetchMaxBytes,
    maxWaitTimeInMs: 5_000,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kafkajs ceiling: ${count}/${total} after ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        count += batch.messages.length;
        last = performance.now();
        if (count >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return ceiling('kafkajs 2.2.4 (eachBatch)', count, bytes, last - first);
}

/** @platformatic/kafka's stream consumer: fetch and discard. */
export async function platformaticCeiling(topic: string, total: number, fetchMaxBytes: number, timeoutMs: number): Promise<ConsumeCeiling> {
  const consumer = new Consumer({ groupId: uniqueName('bench-platformatic'), clientId: 'tukang-bench', bootstrapBrokers: brokers() });
  let count = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: false,
      maxBytes: fetchMaxBytes,
      maxWaitTime: 5_000,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`platformatic ceiling: ${count}/${total} after ${timeoutMs} ms`)), timeoutMs);
      stream.on('data', (message: { value: Buffer | null | undefined }) => {
        if (first === 0) first = performance.now();
        bytes += message.value?.length ?? 0;
        count++;
        last = performance.now();
        if (count >= total) {
          clearTimeout(timer);
          resolve();
        }
      });
      stream.on('error', (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return ceiling(`@platformatic/kafka (stream)`, count, bytes, last - first);
}

export interface EncodeCeiling {
  rows: number;
  batchRows: number;
  /** Nakadi envelope decode + schema validation (main thread), for reference. */
  decodeMs: number;
  /** RowBatch fill + Arrow columns + IPC (main thread). */
  buildMs: number;
  /** parquet-wasm (ZSTD) in one worker. */
  encodeMs: number;
  parquetBytes: number;
  decodePerSec: number;
  buildPerSec: number;
  encodePerSec: number;
  /** Build and encode on one core, one after the other. */
  oneCorePerSec: number;
  /** Build on the main thread overlapping encode in the worker: rows / max(build, encode). */
  twoThreadPerSec: number;
}

/**
 * The same rows the pipeline writes (the same generator, decoded by the dataset's decoder),
 * built and encoded in batches of `batchRows` with the production code path.
 */
export async function encodeCeiling(dataset: DatasetConfig, records: Iterable<SampleRecord>, batchRows: number, partitions: number): Promise<EncodeCeiling> {
  const schema = resolveSchema(dataset);
  const decode = createDecoder(dataset, schema);
  const pool = new ParquetEncoderPool(1);
  let decodeMs = 0;
  let buildMs = 0;
  let encodeMs = 0;
  let rows = 0;
  let parquetBytes = 0;
  let chunk: CleanEvent[] = [];
  let offset = 0;
  const encodeChunk = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const t0 = performance.now();
    const builder = new RowBatchBuilder(schema.columns, dataset.topic, chunk.length);
    const now = Date.now();
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i] as CleanEvent;
      builder.add(e.values, e.eventId, e.eventTimeMs, i % partitions, offset + i, now);
    }
    const ipc = rowBatchToIPC(builder.build());
    const t1 = performance.now();
    const file = await pool.encodeIPC(ipc, chunk.length, { compression: dataset.files.compression, rowGroupRows: dataset.files.row_group_rows });
    const t2 = performance.now();
    buildMs += t1 - t0;
    encodeMs += t2 - t1;
    parquetBytes += file.bytes.byteLength;
    rows += chunk.length;
    offset += chunk.length;
    chunk = [];
  };
  try {
    // Warm the worker (wasm instantiation) outside the measurement.
    await pool.encodeIPC(rowBatchToIPC(new RowBatchBuilder(schema.columns, dataset.topic, 1).build()), 0, { compression: dataset.files.compression });
    let n = 0;
    for (const r of records) {
      const record: SourceRecord = { topic: dataset.topic, partition: 0, offset: n++, timestampMs: Date.now(), key: Buffer.from(r.key), value: Buffer.from(r.value) };
      const t0 = performance.now();
      const result = decode(record);
      decodeMs += performance.now() - t0;
      if (result.ok) chunk.push(result.event);
      if (chunk.length === batchRows) await encodeChunk();
    }
    await encodeChunk();
  } finally {
    await pool.close();
  }
  const per = (ms: number): number => Math.round(rows / (ms / 1000));
  return {
    rows,
    batchRows,
    decodeMs: Math.round(decodeMs),
    buildMs: Math.round(buildMs),
    encodeMs: Math.round(encodeMs),
    parquetBytes,
    decodePerSec: per(decodeMs),
    buildPerSec: per(buildMs),
    encodePerSec: per(encodeMs),
    oneCorePerSec: per(buildMs + encodeMs),
    twoThreadPerSec: per(Math.max(buildMs, encodeMs)),
  };
}
