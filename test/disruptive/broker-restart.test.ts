/**
 * Restarts the shared Kafka broker, so `npm test` runs this file on its own, after the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleOrderEvents, type SampleRecord } from '../../src/sample/order-events.js';
import { parseConfig } from '../../src/config/load.js';
import { readState, resolveHome, stackLayout } from '../../src/stack/layout.js';
import { stopProcess } from '../../src/stack/processes.js';
import { stackUp } from '../../src/stack/stack.js';
import { startCli } from '../helpers/cli.js';
import { auditLake } from '../helpers/lake-audit.js';
import { produce, serviceConfigFile, until, untilAllCommitted } from '../helpers/pipeline-harness.js';
import { realConfig, realStack, uniqueName } from '../helpers/real-stack.js';

const external = process.env['TUKANG_EXTERNAL_STACK'] === '1';

test('the broker stops and restarts mid-run: the service reconnects and resumes; nothing lost or doubled', { timeout: 600_000, skip: external ? 'the broker is not ours to restart (KAFKA_BROKERS points elsewhere)' : false }, async (t) => {
  const stack = await realStack(t, 'broker-restart');
  const topic = await stack.createTopic(4, 'restart-orders');
  const group = uniqueName('restart-group');
  const configFile = serviceConfigFile(stack, topic, group, {
    kafka: { brokers: stack.config.kafka.brokers, group_id: group, session_timeout: '6s' },
    log: { level: 'info', format: 'json' },
  });
  const produced: SampleRecord[] = [...sampleOrderEvents({ count: 100_000, startMs: Date.UTC(2026, 10, 21, 0, 0, 0), stepMs: 100, duplicateRate: 0.01, disorderMs: 20_000, badRate: 0.001, seed: 21 })];
  const half = Math.floor(produced.length / 2);
  const producerConfig = realConfig();
  await produce(producerConfig, topic, produced.slice(0, half));

  const service = startCli(['run', '--config', configFile]);
  t.after(() => service.child.kill('SIGKILL'));
  await until(() => service.output().includes('"msg":"source partition assigned"'), 30_000, () => service.output());
  await new Promise((r) => setTimeout(r, 1_500));

  const config = parseConfig({});
  const home = resolveHome(null);
  const kafkaPid = readState(stackLayout(home)).kafka?.pid;
  assert.ok(kafkaPid, 'the stack records the broker pid');
  await stopProcess(kafkaPid, 20_000);
  await new Promise((r) => setTimeout(r, 8_000));
  await stackUp({
    home,
    ports: { kafka: config.stack.kafka_port, kafkaController: config.stack.kafka_controller_port, s3: config.stack.s3_port },
    readyTimeoutMs: config.stack.ready_timeout,
    log: (m) => t.diagnostic(m),
  });
  await produce(producerConfig, topic, produced.slice(half));

  await untilAllCommitted(topic, group, 300_000, () => service.output().slice(-3000));
  service.child.kill('SIGTERM');
  await new Promise((resolve) => service.child.once('exit', resolve));
  assert.equal(service.child.exitCode, 0, service.output().slice(-3000));
  const audit = await auditLake(stack.store, stack.prefix, 'orders', produced);
  t.diagnostic(`${audit.rows} rows, ${audit.deadLetters} dead letters after a broker restart`);
});
