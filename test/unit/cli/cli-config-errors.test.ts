import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, writeTempConfig } from '../../helpers/cli.js';

test('a bad config file gets one clear error naming each bad key, and exit code 2', async () => {
  const file = writeTempConfig({
    kafka: { brokers: ['127.0.0.1:9092'], bootstrap: 'x' },
    datasets: [{ name: 'orders', topic: 'orders', envelope: { type: 'nakadi' }, schema: { columns: [{ name: 'id', type: 'uuid' }] } }],
  });
  const result = await runCli(['run', '--config', file]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /kafka\.bootstrap: unknown key/);
  assert.match(result.stderr, /datasets\[0\]\.schema\.columns\[0\]\.type: /);
  assert.match(result.stderr, /\[CONFIG_INVALID\]/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

test('a config file that is not JSON names the file and exits 2', async () => {
  const file = writeTempConfig({});
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, '{ "kafka": ');
  const result = await runCli(['stack', 'status', '--config', file]);
  assert.equal(result.code, 2);
  assert.ok(result.stderr.includes(file));
  assert.match(result.stderr, /not valid JSON/);
});

test('an environment override with a bad value names the key and the variable', async () => {
  const result = await runCli(['run'], { S3_ENDPOINT: 'not a url' });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /s3\.endpoint: .*\(set by S3_ENDPOINT\)/);
});

test('a missing config file is reported with its path and exit code 2', async () => {
  const result = await runCli(['run', '--config', '/nonexistent/tukang.json']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cannot read config file \/nonexistent\/tukang\.json: ENOENT/);
});

test('two datasets on one topic: `tukang run` refuses to start, naming the key, exit code 2', async () => {
  const orders = { name: 'orders', topic: 'orders', envelope: { type: 'nakadi' }, schema: { columns: [{ name: 'id', type: 'string' }] } };
  const file = writeTempConfig({ datasets: [orders, { ...orders, name: 'orders_again' }] });
  const result = await runCli(['run', '--config', file]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /datasets\[1\]\.topic: topic "orders" is already read by datasets\[0\] \("orders"\)/);
});
