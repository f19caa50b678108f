import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import express from 'express';
import { flowId, requestLog, type RequestWithLog } from '../../../src/catalog/request-context.js';
import { createLogger } from '../../../src/log/logger.js';

/** An Express app with the flow id and the request log, and the JSON lines that log wrote. */
function loggedApp(): { lines: Array<Record<string, unknown>>; app: express.Express } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'json' }, sink);
  const app = express();
  app.use(flowId, requestLog(logger));
  return { lines, app };
}

test('each request logs one line with its flow id once, method, URL, status and time; lines logged while handling it carry the flow id too', async (t) => {
  const { lines, app } = loggedApp();
  app.get('/datasets', (req, res) => {
    (req as unknown as RequestWithLog).log.info('inside');
    res.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  t.after(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  const answer = await fetch(`http://127.0.0.1:${port}/datasets?limit=1`, { headers: { 'x-flow-id': 'flow-7' } });
  assert.equal(answer.headers.get('x-flow-id'), 'flow-7');
  await answer.text();
  await new Promise((resolve) => setTimeout(resolve, 50));

  const inside = lines.find((l) => l['msg'] === 'inside');
  assert.equal(inside?.['flow_id'], 'flow-7');
  const done = lines.filter((l) => l['msg'] === 'request completed');
  assert.equal(done.length, 1);
  const line = done[0] as Record<string, unknown>;
  assert.equal(line['flow_id'], 'flow-7');
  assert.deepEqual(line['req'], { method: 'GET', url: '/datasets?limit=1' });
  assert.deepEqual(line['res'], { status: 200 });
  assert.equal(typeof line['responseTime'], 'number');
  const raw = JSON.stringify(line);
  assert.equal(raw.split('"flow_id"').length - 1, 1, `the flow id once: ${raw}`);
});

test('a 5xx answer logs "request errored" at error, a probe logs at debug only, and a request whose client goes away is logged once', async (t) => {
  const { lines, app } = loggedApp();
  app.get('/fail', (_req, res) => {
    res.status(503).json({ error: 'down' });
  });
  app.get('/health/live', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/slow', (_req, res) => {
    setTimeout(() => res.json({ late: true }), 300);
  });
  const server = app.listen(0, '127.0.0.1');
  t.after(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  await (await fetch(`http://127.0.0.1:${port}/fail`)).text();
  await (await fetch(`http://127.0.0.1:${port}/health/live`)).text();
  const aborted = new AbortController();
  const slow = fetch(`http://127.0.0.1:${port}/slow`, { signal: aborted.signal }).catch(() => undefined);
  setTimeout(() => aborted.abort(), 50);
  await slow;
  await new Promise((resolve) => setTimeout(resolve, 500));

  const failed = lines.filter((l) => l['msg'] === 'request errored');
  assert.equal(failed.length, 1);
  assert.equal((failed[0] as Record<string, unknown>)['level'], 50);
  assert.deepEqual((failed[0] as Record<string, unknown>)['res'], { status: 503 });
  assert.equal(lines.filter((l) => JSON.stringify(l['req'] ?? {}).includes('/health')).length, 0, 'probes stay below info');
  assert.equal(lines.filter((l) => JSON.stringify(l['req'] ?? {}).includes('/slow')).length, 1, 'an abandoned request is logged once');
});
