import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTukangError } from '../../src/errors/catalogue.js';
import { listAll } from '../../src/storage/object-store.js';
import { realStack } from '../helpers/real-stack.js';

test('LocalStack S3 honours If-None-Match and If-Match the way the commit protocol needs', async (t) => {
  const { store, prefix } = await realStack(t, 's3-cond');
  const key = `${prefix}commit.json`;

  const first = await store.put(key, '{"v":1}', { ifNoneMatch: '*' });
  assert.match(first.etag, /^"[0-9a-f]+"$/);

  await assert.rejects(
    () => store.put(key, '{"v":2}', { ifNoneMatch: '*' }),
    (err) => isTukangError(err, 'S3_PRECONDITION_FAILED') && err.details['status'] === 412,
  );
  assert.equal(Buffer.from((await store.get(key))?.body ?? []).toString(), '{"v":1}', 'the losing write changed nothing');

  const second = await store.put(key, '{"v":2}', { ifMatch: first.etag });
  await assert.rejects(() => store.put(key, '{"v":3}', { ifMatch: first.etag }), (err) => isTukangError(err, 'S3_PRECONDITION_FAILED'));
  await assert.rejects(() => store.put(`${prefix}missing.json`, '{}', { ifMatch: second.etag }), (err) => isTukangError(err, 'S3_PRECONDITION_FAILED'));

  // One winner among concurrent creators.
  const racers = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.put(`${prefix}race.json`, `{"w":${i}}`, { ifNoneMatch: '*' })));
  assert.equal(racers.filter((r) => r.status === 'fulfilled').length, 1);

  await store.put(`${prefix}a/1`, 'x');
  await store.put(`${prefix}a/2`, 'y');
  await store.put(`${prefix}b/3`, 'z');
  const keys: string[] = [];
  for await (const o of listAll(store, `${prefix}a/`)) keys.push(o.key);
  assert.deepEqual(keys, [`${prefix}a/1`, `${prefix}a/2`]);
  const page = await store.list(prefix, { delimiter: '/' });
  assert.deepEqual(page.prefixes.sort(), [`${prefix}a/`, `${prefix}b/`]);
  assert.deepEqual((await store.list(`${prefix}a/`, { startAfter: `${prefix}a/1` })).objects.map((o) => o.key), [`${prefix}a/2`]);
});

test('multipart uploads of large objects complete against LocalStack and read back byte for byte', async (t) => {
  const { store, prefix } = await realStack(t, 's3-multipart');
  const body = Buffer.alloc(20 * 1024 * 1024);
  for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i, i);
  const key = `${prefix}big.bin`;
  await store.put(key, body);
  const head = await store.head(key);
  assert.equal(head?.size, body.length);
  assert.deepEqual(Buffer.from(await store.getRange(key, 4096 * 1000, 4096 * 1000 + 8)), body.subarray(4096 * 1000, 4096 * 1000 + 8));
});
