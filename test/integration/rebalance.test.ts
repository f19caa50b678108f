import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sampleOrderEvents, type SampleRecord } from '../../src/sample/order-events.js';
import { startCli } from '../helpers/cli.js';
import { auditLake } from '../helpers/lake-audit.js';
import { produce, serviceConfigFile, untilAllCommitted } from '../helpers/pipeline-harness.js';
import { realConfig, realStack, uniqueName } from '../helpers/real-stack.js';

const EVENTS = process.env['TUKANG_SOAK'] === '1' ? 600_000 : 120_000;

test(`rebalances: instances join, die and leave one consumer group mid-run over ${EVENTS} events; nothing lost or doubled`, { timeout: 900_000 }, async (t) => {
  const stack = await realStack(t, 'rebalance');
  const topic = await stack.createTopic(8, 'rebalance-orders');
  const group = uniqueName('rebalance-group');
  // A dedup window shorter than the distance of the far copies: see crash-loop.test.ts.
  const configFile = serviceConfigFile(stack, topic, group, {}, { watermark: { max_out_of_orderness: '30s', allowed_lateness: '1m', dedup_window: '30m', idle_timeout: '2s' } });
  const produced: SampleRecord[] = [
    // Cross-partition copies at varying distances (issue 11), some after their hour completed
    // (24,000 events = 1 h of event time here); the audit counts rows by event id.
    ...sampleOrderEvents({
      count: EVENTS,
      startMs: Date.UTC(2026, 10, 21, 0, 0, 0),
      stepMs: 150,
      duplicateRate: 0.01,
      disorderMs: 20_000,
      badRate: 0.001,
      seed: 99,
      crossPartitionRate: 0.005,
      crossPartitionDistances: [5, 2_000, 40_000],
    }),
  ];
  const producerConfig = realConfig();
  const instances: Array<ReturnType<typeof startCli>> = [];
  const start = (): ReturnType<typeof startCli> => {
    const instance = startCli(['run', '--config', configFile]);
    instances.push(instance);
    return instance;
  };
  t.after(() => {
    for (const i of instances) i.child.kill('SIGKILL');
  });
  const exited = (i: ReturnType<typeof startCli>): Promise<unknown> => new Promise((resolve) => (i.child.exitCode !== null ? resolve(i.child.exitCode) : i.child.once('exit', resolve)));
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const slice = (k: number): SampleRecord[] => produced.slice(Math.floor((k * produced.length) / 6), Math.floor(((k + 1) * produced.length) / 6));

  const a = start();
  const b = start();
  await produce(producerConfig, topic, slice(0));
  await pause(3_000);
  const c = start(); // joins: partitions move to it
  await produce(producerConfig, topic, slice(1));
  await pause(3_000);
  b.child.kill('SIGKILL'); // dies: its partitions move after the session timeout
  await exited(b);
  await produce(producerConfig, topic, slice(2));
  await pause(4_000);
  a.child.kill('SIGTERM'); // leaves cleanly
  await exited(a);
  assert.equal(a.child.exitCode, 0, a.output().slice(-2000));
  await produce(producerConfig, topic, slice(3));
  const d = start();
  await pause(3_000);
  await produce(producerConfig, topic, slice(4));
  await pause(2_000);
  c.child.kill('SIGKILL');
  await exited(c);
  const e = start();
  await produce(producerConfig, topic, slice(5));
  await untilAllCommitted(topic, group, 300_000, () => [d, e].map((i) => i.output().slice(-1500)).join('\n---\n'));
  for (const i of [d, e]) i.child.kill('SIGTERM');
  await Promise.all([exited(d), exited(e)]);

  const audit = await auditLake(stack.store, stack.prefix, 'orders', produced).catch((err: unknown) => {
    // Keep every instance's log for the post-mortem: a failure here is about their interplay.
    const file = join(mkdtempSync(join(tmpdir(), 'tukang-rebalance-')), 'instances.log');
    writeFileSync(file, instances.map((i, n) => `==== instance ${n}\n${i.output()}`).join('\n'));
    t.diagnostic(`instance logs: ${file}`);
    throw err;
  });
  t.diagnostic(`${audit.rows} rows in ${audit.files} files over ${audit.partitions} partitions, ${audit.deadLetters} dead letters, after 5 instances, 2 kills, 3 leaves`);
  const errors = instances.map((i) => i.output()).join('\n').match(/"level":(50|60).*/g) ?? [];
  assert.deepEqual(errors, [], 'no errors logged');
});
