import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logLevel } from 'kafkajs';
import { operatorLevel } from '../../../src/source/kafka-client.js';

// Regression: CI failed because kafkajs logged "Connection error: write after end" at ERROR while a
// rebalance closed a socket under an in-flight request; kafkajs reconnected and retried, so nothing
// was wrong, but the operator (and the rebalance test) saw an error.
test('socket errors that kafkajs retries reach the operator as warnings', () => {
  assert.equal(operatorLevel(logLevel.ERROR, 'Connection error: write after end'), logLevel.WARN);
  assert.equal(operatorLevel(logLevel.ERROR, 'Connection timeout'), logLevel.WARN);
  assert.equal(operatorLevel(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)'), logLevel.WARN);
  assert.equal(operatorLevel(logLevel.ERROR, '[Runner] The group is rebalancing, re-joining the group'), logLevel.WARN);
});

test('other kafkajs errors stay errors, and other levels are kept', () => {
  assert.equal(operatorLevel(logLevel.ERROR, '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded'), logLevel.ERROR);
  assert.equal(operatorLevel(logLevel.WARN, 'Connection error: write after end'), logLevel.WARN);
  assert.equal(operatorLevel(logLevel.INFO, 'Consumer has joined the group'), logLevel.INFO);
});
