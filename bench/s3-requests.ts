/**
 * S3 requests of one `tukang run` instance (materializer, catalog, Iceberg, compaction: the
 * defaults), counted by an HTTP proxy in front of LocalStack (docs/performance.md, "S3 requests"):
 *
 *   node dist/bench/s3-requests.js [--events 200000] [--settle-min 2] [--idle-min 6]
 *
 *   1. backlog: the service drains `--events` of the bench's generator (16 partitions, ~1 KB
 *      Nakadi JSON, 1 % duplicates) until the group committed everything;
 *   2. settle: partitions complete, compaction and Iceberg commits run (`--settle-min`);
 *   3. idle: no events arrive; requests over `--idle-min` minutes, scaled to an hour.
 *
 * Requests of 1 + 2 scaled to 1,000,000 events are the "per 1M events" figure.
 */
import { parseArgs } from 'node:util';
import { ADVISED_SEMI_SPACE_MIB } from '../src/materializer/runtime-memory.js';
import { sampleOrderEvents } from '../src/sample/order-events.js';
import { BENCH_BUCKET, ORDER_COLUMNS, benchKafka, benchStore, brokers, createTopic, deleteTopics, endOffsets, freePort, produce, round, s3Endpoint, sleep, uniqueName } from './lib/common.js';
import { startCountingProxy } from './lib/s3-counting-proxy.js';
import { startService, watchUntilCommitted } from './lib/service.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    'settle-min': { type: 'string', default: '2' },
    'idle-min': { type: 'string', default: '6' },
  },
});
const N = Number(args.events);
const HOUR = 3_600_000;

function log(message: string): void {
  process.stdout.write(`[s3-requests ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}


async function main(): Promise<void> {
  const kafka = benchKafka();
  const store = benchStore();
  await store.ensureBucket(true);
  const topic = uniqueName('bench-s3req');
  await createTopic(kafka, topic, 16);
  const [first] = sampleOrderEvents({ count: 1, paddingChars: 0 });
  const padding = Math.max(0, 1024 - ((first?.value.length ?? 300) + ',"note":""'.length));
  const startMs = Math.floor(Date.now() / HOUR) * HOUR - 50 * HOUR;
  const produced = await produce(kafka, topic, 16, sampleOrderEvents({ count: N, startMs, stepMs: 1000 / 100_000, duplicateRate: 0.01, disorderMs: 20_000, badRate: 0, seed: 42, paddingChars: padding }));
  log(`produced ${produced.records} records`);
  const proxy = await startCountingProxy(s3Endpoint());
  const group = uniqueName('bench-s3req');
  const prefix = `${uniqueName('bench-s3req')}/`;
  const service = startService({
    heapLimitMiB: 576,
    semiSpaceMiB: ADVISED_SEMI_SPACE_MIB,
    config: {
      kafka: { brokers: brokers(), group_id: group, session_timeout: '10s' },
      s3: { endpoint: proxy.url, bucket: BENCH_BUCKET, prefix },
      catalog: { port: await freePort(), auth: { disabled: true } },
      log: { level: 'info', format: 'json' },
      datasets: [
        {
          name: 'orders',
          topic,
          envelope: { type: 'nakadi' },
          schema: { columns: ORDER_COLUMNS, unknown_fields: 'keep_json' },
          watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '1h', idle_timeout: '1s' },
          files: { late_batch_window: '1s' },
        },
      ],
    },
  });
  const result: Record<string, unknown> = { events: N, records: produced.records };
  try {
    const ends = await endOffsets(kafka, topic);
    // The group's coordinator answers offset fetches once the service joined it.
    while (service.firstLogTime('consumer group assignment') === undefined) {
      if (service.child.exitCode !== null) throw new Error('service exited');
      await sleep(200);
    }
    const watched = await watchUntilCommitted(kafka, service, group, topic, () => ends, { everyMs: 500, timeoutMs: 20 * 60_000 });
    if (!watched.done) throw new Error('not everything committed within 20 min');
    const backlog = proxy.snapshot();
    log(`backlog drained: ${JSON.stringify(backlog)}`);
    await sleep(Number(args['settle-min']) * 60_000);
    const settled = proxy.snapshot();
    const busyTotal = proxy.total();
    log(`after settling: ${JSON.stringify(settled)} (${busyTotal} in all)`);
    proxy.reset();
    const idleMs = Number(args['idle-min']) * 60_000;
    const marks: Array<{ min: number; total: number }> = [];
    for (let m = 1; m <= Number(args['idle-min']); m++) {
      await sleep(60_000);
      marks.push({ min: m, total: proxy.total() });
    }
    const idle = proxy.snapshot();
    log(`idle ${args['idle-min']} min: ${JSON.stringify(idle)}, by minute ${JSON.stringify(marks)}`);
    Object.assign(result, {
      backlog_requests: backlog,
      busy_requests: settled,
      busy_total: busyTotal,
      requests_per_million_events: Math.round((busyTotal * 1_000_000) / N),
      idle_minutes: Number(args['idle-min']),
      idle_requests: idle,
      idle_by_minute: marks,
      idle_requests_per_hour: round((proxy.total() * HOUR) / idleMs, 0),
      completed_partitions: service.logs.filter((l) => l['msg'] === 'partition complete').length,
    });
  } finally {
    await service.stop();
    await proxy.close();
    await deleteTopics(kafka, [topic]).catch(() => undefined);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
