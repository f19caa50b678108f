import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get } from 'node:http';
import { freePort, runCli, startCli, waitFor, writeTempConfig } from '../helpers/cli.js';
import { realStack } from '../helpers/real-stack.js';

const external = process.env['TUKANG_EXTERNAL_STACK'] === '1';

test('tukang stack status reports Kafka and S3 healthy while the stack runs', async (t) => {
  await realStack(t, 'status');
  const result = await runCli(['stack', 'status', '--json']);
  const status = JSON.parse(result.stdout) as { kafka: { state: string }; s3: { state: string }; brokers: string };
  if (external) {
    // Servers started elsewhere (docker compose) are healthy but not ours, and status says so.
    assert.match(status.kafka.state, /^(running|foreign)$/);
    assert.match(status.s3.state, /^(running|foreign)$/);
  } else {
    assert.equal(status.kafka.state, 'running');
    assert.equal(status.s3.state, 'running');
    assert.equal(result.code, 0);
  }
});

test('tukang stack up is idempotent: a second up reuses the running servers', { skip: external ? 'servers are not ours under docker compose' : false }, async (t) => {
  await realStack(t, 'up-again');
  const before = JSON.parse((await runCli(['stack', 'status', '--json'])).stdout) as { kafka: { pid: number }; s3: { pid: number } };
  const again = await runCli(['stack', 'up', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /already running/);
  const after = JSON.parse(again.stdout) as { kafka: { pid: number }; s3: { pid: number } };
  assert.equal(after.kafka.pid, before.kafka.pid);
  assert.equal(after.s3.pid, before.s3.pid);
});

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`tukang run serves health against the real stack and stops cleanly on ${signal}`, async (t) => {
    const stack = await realStack(t, 'run');
    const port = await freePort();
    const file = writeTempConfig({
      kafka: { brokers: stack.config.kafka.brokers },
      s3: { endpoint: stack.config.s3.endpoint, bucket: stack.config.s3.bucket },
      catalog: { port },
      log: { format: 'json' },
    });
    const run = startCli(['run', '--config', file]);
    t.after(() => run.child.kill('SIGKILL'));
    await waitFor(() => run.output().includes('tukang running'), 30_000, 'the service to start');

    const health = await httpGet(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: 'up', checks: [{ name: 's3', status: 'up' }, { name: 'kafka', status: 'up' }] });

    const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
    run.child.kill(signal);
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    assert.equal(code, 0, run.output());
    const lines = run.output().trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; reason?: string });
    assert.ok(lines.some((l) => l.msg === 'shutting down' && l.reason === signal));
    assert.equal(lines.at(-1)?.msg, 'stopped');
  });
}
