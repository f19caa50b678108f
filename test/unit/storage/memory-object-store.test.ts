import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';

const lostRace = (status: number) => (err: unknown) => isTukangError(err, 'S3_PRECONDITION_FAILED') && err.details['status'] === status && !err.retryable;

test('conditional writes: If-None-Match * creates once; If-Match needs the current etag and an existing key', async () => {
  const store = new MemoryObjectStore();
  const first = await store.put('a/state.json', '{"v":1}', { ifNoneMatch: '*' });
  await assert.rejects(store.put('a/state.json', '{"v":2}', { ifNoneMatch: '*' }), lostRace(412));
  assert.equal(Buffer.from((await store.get('a/state.json'))?.body ?? []).toString(), '{"v":1}', 'the lost write changed nothing');

  const second = await store.put('a/state.json', '{"v":2}', { ifMatch: first.etag });
  assert.notEqual(second.etag, first.etag);
  await assert.rejects(store.put('a/state.json', '{"v":3}', { ifMatch: first.etag }), lostRace(412), 'a stale etag loses');
  await assert.rejects(store.put('b/state.json', '{}', { ifMatch: first.etag }), lostRace(404), 'If-Match of a missing key');
  assert.equal((await store.get('a/state.json'))?.etag, second.etag);
  // Same bytes, same etag (MD5 of the body, as S3 for single-part uploads).
  assert.equal((await store.put('c', '{"v":2}')).etag, second.etag);
});

test('listing is lexicographic, pages with tokens, and groups by delimiter', async () => {
  const store = new MemoryObjectStore();
  for (const key of ['d/x/2', 'd/x/1', 'd/y', 'd/z/1', 'e']) await store.put(key, key);
  const all = await store.list('d/');
  assert.deepEqual(all.objects.map((o) => o.key), ['d/x/1', 'd/x/2', 'd/y', 'd/z/1']);
  const page = await store.list('d/', { maxKeys: 2 });
  assert.deepEqual(page.objects.map((o) => o.key), ['d/x/1', 'd/x/2']);
  assert.ok(page.nextToken);
  const rest = await store.list('d/', { continuationToken: page.nextToken });
  assert.deepEqual(rest.objects.map((o) => o.key), ['d/y', 'd/z/1']);
  assert.equal(rest.nextToken, undefined);
  const grouped = await store.list('d/', { delimiter: '/' });
  assert.deepEqual(grouped.objects.map((o) => o.key), ['d/y']);
  assert.deepEqual(grouped.prefixes, ['d/x/', 'd/z/']);
});

test('ranges, head, copy and delete', async () => {
  const store = new MemoryObjectStore();
  await store.put('f', 'abcdef');
  assert.equal(Buffer.from(await store.getRange('f', 1, 4)).toString(), 'bcd');
  assert.equal((await store.head('f'))?.size, 6);
  assert.equal(await store.head('nope'), undefined);
  assert.equal(await store.copy('f', 'g'), true);
  assert.equal(await store.copy('nope', 'h'), false);
  await store.delete(['f']);
  assert.deepEqual(store.keys(), ['g']);
  await assert.rejects(store.getRange('f', 0, 1), (err: unknown) => isTukangError(err));
});
