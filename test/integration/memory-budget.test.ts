import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sampleOrderEvents, type SampleRecord } from '../../src/sample/order-events.js';
import { startCli } from '../helpers/cli.js';
import { auditLake } from '../helpers/lake-audit.js';
import { produce, serviceConfigFile, untilAllCommitted } from '../helpers/pipeline-harness.js';
import { FIXED_DATE_LIMITS, realConfig, realStack, uniqueName } from '../helpers/real-stack.js';

const BUDGET_MB = 96;
/** The V8 heap limit docs/operations.md recommends for a budget: twice the budget plus 64 MiB. */
const HEAP_MB = BUDGET_MB * 2 + 64;
const EVENTS = process.env['TUKANG_SOAK'] === '1' ? 600_000 : 80_000;

test(`memory: 16 source partitions x 48 open hourly partitions under a ${BUDGET_MB} MiB budget; peak RSS reported`, { timeout: 600_000 }, async (t) => {
  const stack = await realStack(t, 'memory');
  const topic = await stack.createTopic(16, 'memory-orders');
  const group = uniqueName('memory-group');
  const configFile = serviceConfigFile(stack, topic, group, {
    kafka: { brokers: stack.config.kafka.brokers, group_id: group, session_timeout: '15s' },
    materializer: { tick_interval: 200, memory_budget_mb: BUDGET_MB },
    datasets: [
      {
        name: 'orders',
        topic,
        envelope: { type: 'nakadi' },
        limits: FIXED_DATE_LIMITS,
        schema: { columns: [{ name: 'order_id', type: 'string' }, { name: 'note', type: 'string' }], unknown_fields: 'keep_json' },
        // Disorder of two days keeps all 48 hours open until the end: only the budget flushes.
        watermark: { max_out_of_orderness: '48h', allowed_lateness: '1m', dedup_window: '48h', idle_timeout: '2s' },
        // This test counts ingestion's early flushes and memory: no compaction afterwards.
        compaction: { enabled: false },
        files: { target_rows: 1_000_000, target_bytes: 512 * 1024 * 1024 },
      },
    ],
  });
  // ~1 KB events, each at a random hour of two days: every source partition touches every hour.
  const produced: SampleRecord[] = [
    ...sampleOrderEvents({ count: EVENTS, startMs: Date.UTC(2026, 10, 19, 0, 0, 0), stepMs: Math.floor((48 * 3_600_000) / EVENTS), duplicateRate: 0, disorderMs: 47 * 3_600_000, badRate: 0, seed: 8, paddingChars: 800 }),
  ];
  const service = startCli(['run', '--config', configFile], { S3_ENDPOINT: stack.config.s3.endpoint ?? '', NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` });
  t.after(() => service.child.kill('SIGKILL'));
  await produce(realConfig(), topic, produced);
  await untilAllCommitted(topic, group, 300_000, () => service.output().slice(-3000));
  const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8');
  const peakMiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  // A service that exited by itself would never emit 'exit' again: say so instead of waiting.
  assert.equal(service.child.exitCode, null, `the service exited before the end:\n${service.output().slice(-3000)}`);
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill('SIGTERM');
  await exited;

  const audit = await auditLake(stack.store, stack.prefix, 'orders', produced);
  const input = produced.reduce((n, r) => n + r.value.length, 0) / 1024 / 1024;
  t.diagnostic(`${EVENTS} events (${input.toFixed(0)} MiB of JSON) over ${audit.partitions} hourly partitions: ${audit.files} files; peak RSS ${peakMiB.toFixed(0)} MiB with a ${BUDGET_MB} MiB buffer budget and a ${HEAP_MB} MiB V8 heap limit`);
  assert.ok(audit.partitions >= 48);
  assert.ok(audit.files > audit.partitions, 'the budget forced early flushes');
  assert.ok(peakMiB < 512, `peak RSS ${peakMiB.toFixed(0)} MiB`);
});
