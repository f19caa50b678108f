import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { checkTools, stackStatus, stackUp } from '../../../src/stack/stack.js';
import { freePort } from '../../helpers/cli.js';

test('missing tools are all named, with docker compose as the way out', () => {
  assert.throws(
    () => checkTools((program) => program === 'python3'),
    (err) =>
      isTukangError(err, 'STACK_TOOL_MISSING') &&
      /java \(for Kafka/.test(err.message) &&
      /mvn \(for resolving/.test(err.message) &&
      !/python3/.test(err.message) &&
      /docker compose up/.test(err.message),
  );
  assert.doesNotThrow(() => checkTools(() => true));
});

test('a port taken by another process is reported with its config key, and nothing is started', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const taken = (blocker.address() as net.AddressInfo).port;
  const home = mkdtempSync(join(tmpdir(), 'tukang-stack-'));
  const ports = { kafka: taken, kafkaController: await freePort(), s3: await freePort() };

  await assert.rejects(
    () => stackUp({ home, ports, readyTimeoutMs: 1_000, log: () => undefined }),
    (err) => isTukangError(err, 'STACK_PORT_TAKEN') && err.message.includes(`port ${taken} (stack.kafka_port)`),
  );
  const status = await stackStatus({ home, ports });
  assert.equal(status.kafka.state, 'foreign', 'the blocker is seen as not ours');
  assert.equal(status.s3.state, 'stopped');
});
