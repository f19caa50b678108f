import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { MemoryObjectStore } from '../../../src/storage/memory-object-store.js';
import { objectAsyncBuffer } from '../../../src/storage/object-async-buffer.js';

test('an object read as an AsyncBuffer fetches only the ranges asked for', async () => {
  const store = new MemoryObjectStore();
  await store.put('data/f.parquet', 'PAR1-body-PAR1');
  const ranges: Array<[number, number]> = [];
  const getRange = store.getRange.bind(store);
  store.getRange = async (key, start, end) => {
    ranges.push([start, end]);
    return getRange(key, start, end);
  };
  const buffer = await objectAsyncBuffer(store, 'data/f.parquet');
  assert.equal(buffer.byteLength, 14, 'the size comes from HEAD when not given');
  assert.equal(Buffer.from(await buffer.slice(10)).toString(), 'PAR1', 'an open end reads to the end');
  assert.equal(Buffer.from(await buffer.slice(5, 9)).toString(), 'body');
  assert.deepEqual(ranges, [[10, 14], [5, 9]]);
  const sized = await objectAsyncBuffer(store, 'data/f.parquet', 14);
  assert.equal(sized.byteLength, 14);
});

test('a missing object is OBJECT_MISSING naming the key', async () => {
  await assert.rejects(objectAsyncBuffer(new MemoryObjectStore(), 'data/gone.parquet'), (err: unknown) => isTukangError(err, 'OBJECT_MISSING') && err.message.includes('data/gone.parquet') && !err.retryable);
});
