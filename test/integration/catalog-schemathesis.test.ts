/**
 * Contract test of the served API with Schemathesis (pinned in test/readers/requirements.txt):
 * `tukang catalog` over the real LocalStack and Kafka, with a fixture lake (complete and open
 * partitions, a late-data version, real Parquet, dead letters); `schemathesis run` against the
 * served /openapi.json with every check, about 100 examples per operation and a time bound, three
 * times: a read+write token, no token, a read-only token. Each run must end with 0 server
 * errors, 0 response-schema violations and every status documented: Schemathesis exits 0 and its
 * JUnit report lists no failure and no error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CommitLog } from '../../src/commit/commit-log.js';
import { createS3Client, S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { listAll } from '../../src/storage/object-store.js';
import { LakeLayout } from '../../src/lake/lake-layout.js';
import { ParquetEncoderPool } from '../../src/writing/parquet/encoder-pool.js';
import { DAY0, HOUR, ORDER_COLUMNS, commitFile } from '../helpers/catalog-fixture.js';
import { freePort, startCli, waitFor, writeTempConfig } from '../helpers/cli.js';
import { READERS_DIR, readersPython } from '../helpers/python-readers.js';
import { realStack, uniqueName } from '../helpers/real-stack.js';
import { sampleBatch } from '../unit/writing/fixtures/sample-batch.js';

const RW_TOKEN = 'schemathesis-rw-token-0123456789';
const RO_TOKEN = 'schemathesis-ro-token-0123456789';
/**
 * Per run: examples per operation, and the time bound of the whole run (it can never hang CI).
 * Not Schemathesis's --max-time: that keeps fuzzing until the budget is spent. One run of 100
 * examples took about 190 s on the shared 2-core machine.
 */
const MAX_EXAMPLES = 100;
const MAX_TIME_S = 420;

interface Outcome {
  code: number | null;
  output: string;
  tests: number;
  failures: string[];
}

/** Runs `schemathesis run` with all checks; the outcome from its exit code and JUnit report. */
async function schemathesis(url: string, label: string, headers: string[]): Promise<Outcome> {
  const python = await readersPython();
  const dir = mkdtempSync(join(tmpdir(), `schemathesis-${label}-`));
  const junit = join(dir, 'junit.xml');
  const args = ['-m', 'schemathesis.cli', '--config-file', join(READERS_DIR, 'schemathesis.toml'), 'run', `${url}/openapi.json`, '--checks', 'all', '--max-examples', String(MAX_EXAMPLES)];
  args.push('--seed', '20261201', '--request-timeout', '10', '--workers', '1', '--no-color', '--warnings', 'off', '--generation-database', 'none');
  args.push('--report', 'junit', '--report-junit-path', junit);
  for (const h of headers) args.push('--header', h);
  // In a folder of its own: Schemathesis keeps a cache of past failures (.schemathesis/) in its working directory.
  const child = spawn(python, args, { cwd: dir, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), MAX_TIME_S * 1_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(killer);
  if (code === null) throw new Error(`schemathesis (${label}) did not finish within ${MAX_TIME_S} s:\n${output.split('\n').slice(-40).join('\n')}`);
  const xml = readFileSync(junit, 'utf8');
  const tests = Number(/<testsuite[^>]*\btests="(\d+)"/.exec(xml)?.[1] ?? 0);
  const failures = [...xml.matchAll(/<testcase[^>]*name="([^"]*)"[^>]*>\s*<(failure|error)[^>]*?(?:message="([^"]*)")?/g)].map((m) => `${m[1]}: ${m[2]} ${m[3] ?? ''}`);
  return { code, output, tests, failures };
}

test('Schemathesis, all checks, against the served document: read+write token, no token, read-only token', { timeout: 3 * (MAX_TIME_S + 30) * 1_000 }, async (t) => {
  const stack = await realStack(t, 'catalog-schemathesis');
  const topic = await stack.createTopic(2, 'schemathesis-orders');
  // A bucket of its own: the fixture writes the lake at the bucket's root, like a deployment.
  const bucket = uniqueName('schemathesis').toLowerCase();
  const store = new S3ObjectStore(createS3Client(stack.config.s3), bucket);
  await store.ensureBucket(true);
  t.after(async () => {
    const keys: string[] = [];
    for await (const object of listAll(store, '')) keys.push(object.key);
    if (keys.length > 0) await store.delete(keys);
  });

  // The fixture lake: hours 0-3 complete (hour 1 with a late-data version 2), hours 4-5 open.
  const log = new CommitLog(store, new LakeLayout(''), bucket);
  const pool = new ParquetEncoderPool(1);
  t.after(() => pool.close());
  const encoded = await pool.encode(sampleBatch(30), { compression: 'zstd', rowGroupRows: 10 });
  for (let hour = 0; hour < 6; hour++) {
    await commitFile(store, log, { startMs: DAY0 + hour * HOUR, partition: 0, first: hour * 30, rows: 30, bytes: encoded.bytes, sha256: encoded.sha256 });
  }
  for (let hour = 0; hour < 4; hour++) await log.completePartition('orders', `event_date=2026-11-21/event_hour=0${hour}`);
  await commitFile(store, log, { startMs: DAY0 + HOUR, partition: 1, first: 0, rows: 30, bytes: encoded.bytes, sha256: `${encoded.sha256.slice(0, 60)}ffff` });
  const letter = (offset: number) =>
    JSON.stringify({ dataset: 'orders', topic, partition: 0, offset, timestamp_at: '2026-11-21T00:00:00.000Z', received_at: '2026-11-21T00:00:01.000Z', reason: 'bad_json', message: 'not JSON', key_base64: null, value_base64: 'e29vcHM=' });
  await store.put(new LakeLayout('').deadLetterBatch('orders', topic, 0, 2, 0), [0, 1, 2].map(letter).join('\n') + '\n');

  const port = await freePort();
  const file = writeTempConfig({
    kafka: { brokers: stack.config.kafka.brokers, group_id: uniqueName('schemathesis-group') },
    s3: { endpoint: stack.config.s3.endpoint, bucket },
    catalog: {
      port,
      auth: {
        static_tokens: [
          { name: 'rw', token: RW_TOKEN, scopes: ['tukang.read', 'tukang.write'] },
          { name: 'ro', token: RO_TOKEN, scopes: ['tukang.read'] },
        ],
      },
      cache: { change_settle: '0ms' },
    },
    log: { format: 'json' },
    datasets: [{ name: 'orders', topic, envelope: { type: 'nakadi' }, schema: { columns: ORDER_COLUMNS } }],
  });
  const run = startCli(['catalog', '--config', file]);
  t.after(() => run.child.kill('SIGKILL'));
  await waitFor(() => run.output().includes('tukang catalog running'), 30_000, `the catalog to start:\n${run.output()}`);
  const url = `http://127.0.0.1:${port}`;

  for (const [label, headers] of [
    ['read+write token', [`Authorization: Bearer ${RW_TOKEN}`]],
    ['no token', []],
    ['read-only token', [`Authorization: Bearer ${RO_TOKEN}`]],
  ] as const) {
    const began = Date.now();
    const outcome = await schemathesis(url, label.replace(/\W+/g, '-'), [...headers]);
    console.log(`schemathesis (${label}): exit ${outcome.code}, ${outcome.tests} operations, ${outcome.failures.length} failing, ${Math.round((Date.now() - began) / 1000)} s`);
    const tail = outcome.output.split('\n').slice(-60).join('\n');
    assert.ok(outcome.tests > 0, `schemathesis (${label}) tested nothing:\n${tail}`);
    assert.deepEqual(outcome.failures, [], `schemathesis (${label}) found failures:\n${tail}`);
    assert.equal(outcome.code, 0, `schemathesis (${label}) exited ${outcome.code}:\n${tail}`);
  }
  assert.doesNotMatch(run.output(), /request failed unexpectedly/, 'no request reached the catch-all 500');
});
