import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlushSlots } from '../../../src/buffering/flush-slots.js';

test('flush slots let `size` flushes run at once; the others wait in arrival order', async () => {
  const slots = new FlushSlots(2);
  const order: string[] = [];
  const a = await slots.acquire();
  const b = await slots.acquire();
  const c = slots.acquire().then((release) => (order.push('c'), release));
  const d = slots.acquire().then((release) => (order.push('d'), release));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [], 'both slots are taken: c and d wait');
  a();
  const releaseC = await c;
  assert.deepEqual(order, ['c'], 'a slot freed goes to the first waiter');
  b();
  const releaseD = await d;
  assert.deepEqual(order, ['c', 'd']);
  releaseC();
  releaseD();
  // Both slots are free again: two acquire at once without waiting, the third waits.
  const e = await slots.acquire();
  await slots.acquire();
  let third = false;
  const f = slots.acquire().then(() => (third = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false);
  e();
  await f;
  assert.equal(third, true);
});

test('releasing a slot twice frees it once', async () => {
  const slots = new FlushSlots(1);
  const a = await slots.acquire();
  a();
  a();
  await slots.acquire();
  let second = false;
  const b = slots.acquire().then(() => (second = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false, 'a double release must not let two flushes into one slot');
  void b;
});
