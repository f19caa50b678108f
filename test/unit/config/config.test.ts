import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { parseDuration } from '../../../src/config/duration.js';
import { isTukangError } from '../../../src/errors/catalogue.js';

const dataset = {
  name: 'orders',
  topic: 'orders',
  envelope: { type: 'nakadi' },
  schema: { columns: [{ name: 'order_id', type: 'string', nullable: false }] },
};

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    assert.ok(isTukangError(err, 'CONFIG_INVALID'));
    return err.details['problems'] as string[];
  }
  assert.fail('expected the config to be rejected');
}

test('defaults point at the local stack', () => {
  const config = parseConfig({});
  assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(config.s3.endpoint, 'http://127.0.0.1:4566');
  assert.equal(config.s3.bucket, 'tukang-lake');
  assert.equal(config.stack.kafka_port, 9092);
  assert.equal(config.stack.s3_port, 4566);
});

test('the validated config is frozen', () => {
  const config = parseConfig({ datasets: [dataset] });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.datasets[0]?.watermark));
  assert.throws(() => {
    (config.kafka.brokers as string[]).push('x:1');
  });
});

test('dataset defaults are filled in and durations accept strings', () => {
  const config = parseConfig({ datasets: [{ ...dataset, watermark: { allowed_lateness: '5m', dedup_window: '2h' } }] });
  const d = config.datasets[0];
  assert.equal(d?.watermark.allowed_lateness, 300_000);
  assert.equal(d?.watermark.dedup_window, 7_200_000);
  assert.equal(d?.files.compression, 'zstd');
  assert.equal(d?.partitioning.granularity, 'hour');
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('3d'), 259_200_000);
  assert.equal(parseDuration('ten minutes'), undefined);
});

test('unknown keys are rejected with their full path', () => {
  assert.deepEqual(problems({ kafka: { brokerz: [] } }), ['kafka.brokerz: unknown key']);
  assert.deepEqual(problems({ datasets: [{ ...dataset, watermark: { lateness: 1 } }] }), ['datasets[0].watermark.lateness: unknown key']);
});

test('cross-field rule: the dedup window must cover the allowed lateness', () => {
  const found = problems({ datasets: [{ ...dataset, watermark: { allowed_lateness: '2h', dedup_window: '1h' } }] });
  assert.equal(found.length, 1);
  assert.match(found[0] ?? '', /^datasets\[0\]\.watermark\.dedup_window: must be at least watermark\.allowed_lateness/);
});

test('duplicate dataset names and malformed durations are named', () => {
  assert.deepEqual(problems({ datasets: [dataset, { ...dataset, topic: 'other' }] }), ['datasets[1].name: duplicates datasets[0].name']);
  assert.match(problems({ materializer: { shutdown_timeout: '5 minutes' } }).join('\n'), /materializer\.shutdown_timeout/);
});

// Regression (issue 11, item 3): a second dataset on the same topic passed validation and silently
// replaced the first (one pipeline per topic). It is refused at start-up, naming the key.
test('two datasets on one topic are refused, naming the second dataset\'s topic key', () => {
  assert.deepEqual(problems({ datasets: [dataset, { ...dataset, name: 'orders_copy' }] }), [
    'datasets[1].topic: topic "orders" is already read by datasets[0] ("orders"); each topic feeds one dataset',
  ]);
});

test('a dataset needs exactly one schema source, and structs need fields', () => {
  assert.match(problems({ datasets: [{ ...dataset, schema: {} }] }).join('\n'), /datasets\[0\]\.schema: give exactly one of/);
  assert.match(
    problems({ datasets: [{ ...dataset, schema: { columns: [{ name: 'a', type: 'struct' }] } }] }).join('\n'),
    /datasets\[0\]\.schema\.columns\[0\]\.fields: a struct column needs fields/,
  );
});

test('environment overrides replace connection settings', () => {
  const config = loadConfig(undefined, { KAFKA_BROKERS: 'a:1, b:2', S3_ENDPOINT: 'http://s3.local:9000', S3_BUCKET: 'lake-x' });
  assert.deepEqual(config.kafka.brokers, ['a:1', 'b:2']);
  assert.equal(config.s3.endpoint, 'http://s3.local:9000');
  assert.equal(config.s3.bucket, 'lake-x');
  assert.equal(loadConfig(undefined, { S3_ENDPOINT: '' }).s3.endpoint, null, 'an empty S3_ENDPOINT means the AWS default');
});

test('materializer.row_workers defaults to one worker, allows 0 (in-process), and refuses negatives and fractions', () => {
  assert.equal(parseConfig({}).materializer.row_workers, 1);
  assert.equal(parseConfig({ materializer: { row_workers: 0 } }).materializer.row_workers, 0);
  assert.match(problems({ materializer: { row_workers: -1 } }).join('\n'), /materializer\.row_workers/);
  assert.match(problems({ materializer: { row_workers: 1.5 } }).join('\n'), /materializer\.row_workers/);
});
