import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/load.js';
import { TukangError, isRetryable } from '../../../src/errors/catalogue.js';
import { S3ObjectStore, createS3Client } from '../../../src/storage/s3-object-store.js';

// Regression: the S3 client had no timeouts, so a request the server accepted and never answered
// (seen with LocalStack in an integration run) kept a flush or commit waiting for ever.
test('a request to an S3 endpoint that never answers fails with a retryable S3_UNAVAILABLE after the idle timeout', async (t) => {
  const sockets: Socket[] = [];
  let requests = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => requests++); // reads the request, never answers
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  const config = parseConfig({ s3: { endpoint: `http://127.0.0.1:${address.port}`, bucket: 'silent', idle_timeout: '300ms', connect_timeout: '1s' } });
  const store = new S3ObjectStore(createS3Client(config.s3), 'silent');
  const started = Date.now();
  const err = await store.get('any/key.json').then(
    () => assert.fail('a silent server cannot answer'),
    (e: unknown) => e,
  );
  const elapsed = Date.now() - started;
  assert.ok(err instanceof TukangError, String(err));
  assert.equal(err.code, 'S3_UNAVAILABLE');
  assert.equal(isRetryable(err), true);
  assert.ok(requests >= 1, 'the request reached the server');
  // Three attempts of 300 ms idle each plus the SDK's back-off; without the timeout it never ends.
  assert.ok(elapsed < 15_000, `failed after ${elapsed} ms`);
});

test('the S3 timeouts are validated at start-up with the key named', () => {
  assert.throws(() => parseConfig({ s3: { idle_timeout: 'soon' } }), /s3\.idle_timeout/);
});
