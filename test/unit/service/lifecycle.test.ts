import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Component } from '../../../src/core/component.js';
import { isTukangError } from '../../../src/errors/catalogue.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Lifecycle } from '../../../src/service/lifecycle.js';

function component(name: string, events: string[], behaviour: { stop?: () => Promise<void>; start?: () => Promise<void> } = {}): Component {
  return {
    name,
    start: async () => {
      events.push(`start ${name}`);
      await behaviour.start?.();
    },
    stop: async () => {
      events.push(`stop ${name}`);
      await behaviour.stop?.();
    },
  };
}

test('components start in order and stop in reverse, once, even when a stop fails', async () => {
  const events: string[] = [];
  const lifecycle = new Lifecycle(silentLogger(), 1_000);
  await lifecycle.start([component('s3', events), component('materializer', events, { stop: async () => Promise.reject(new Error('flush failed')) }), component('catalog', events)]);
  await Promise.all([lifecycle.stop('SIGTERM'), lifecycle.stop('SIGINT')]);
  await lifecycle.stop('again');
  assert.deepEqual(events, ['start s3', 'start materializer', 'start catalog', 'stop catalog', 'stop materializer', 'stop s3']);
});

// Regression: a component whose start was in flight when the signal came was never stopped (the
// stop took its list before the start finished).
test('a stop requested during start-up ends it before the next component, and stops the one that was starting', async () => {
  const events: string[] = [];
  const lifecycle = new Lifecycle(silentLogger(), 1_000);
  let stopping: Promise<void> | undefined;
  const starting = lifecycle.start([
    component('s3', events, { start: async () => void (stopping = lifecycle.stop('SIGTERM')) }),
    component('materializer', events),
  ]);
  await assert.rejects(starting, (err: unknown) => isTukangError(err, 'SHUTDOWN_REQUESTED'));
  await stopping;
  assert.deepEqual(events, ['start s3', 'stop s3']);
});

test('a shutdown that hangs ends with SHUTDOWN_TIMEOUT after the deadline', async () => {
  const events: string[] = [];
  const lifecycle = new Lifecycle(silentLogger(), 50);
  await lifecycle.start([component('catalog', events), component('materializer', events, { stop: () => new Promise(() => undefined) })]);
  const t0 = Date.now();
  // The deadline's timer does not hold the process open (a hung shutdown must still exit); this one holds the test.
  const hold = setTimeout(() => undefined, 5_000);
  await assert.rejects(lifecycle.stop('SIGTERM'), (err: unknown) => isTukangError(err, 'SHUTDOWN_TIMEOUT'));
  clearTimeout(hold);
  assert.ok(Date.now() - t0 < 1_000, 'the deadline, not the hang, decides');
  assert.deepEqual(events, ['start catalog', 'start materializer', 'stop materializer'], 'components after the hanging one are not reached');
});
