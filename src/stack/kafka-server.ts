/**
 * Apache Kafka 3.9.1, single node in KRaft mode, run from jars that Maven resolves from Maven
 * Central into the stack's cache. Provisioned once, formatted once, then started and stopped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TukangError } from '../errors/catalogue.js';
import { RESOURCES_DIR, type StackLayout, type StackPorts } from './layout.js';
import { isAlive } from '../core/process-alive.js';
import { runToLog, startDetached } from './processes.js';

export const KAFKA_MARKER = 'kafka.Kafka';

function pomPath(): string {
  return join(RESOURCES_DIR, 'kafka', 'pom.xml');
}

function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
}

/** Resolves the Kafka jars with mvn unless the cache already holds them for this POM. */
export async function provisionKafka(layout: StackLayout, log: (msg: string) => void): Promise<void> {
  const stamp = join(layout.kafkaHome, '.provisioned');
  const want = digest(pomPath());
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want && existsSync(layout.kafkaLibs)) return;
  mkdirSync(layout.kafkaHome, { recursive: true });
  mkdirSync(layout.runDir, { recursive: true });
  copyFileSync(pomPath(), join(layout.kafkaHome, 'pom.xml'));
  log(`resolving Kafka 3.9.1 jars from Maven Central (once; log: ${layout.provisionLog})`);
  try {
    await runToLog(
      'mvn',
      ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${layout.kafkaLibs}`],
      { cwd: layout.kafkaHome, logFile: layout.provisionLog },
    );
  } catch (err) {
    throw new TukangError('STACK_PROVISION_FAILED', `resolving Kafka jars failed: ${(err as Error).message}`, { cause: err });
  }
  const jars = readdirSync(layout.kafkaLibs).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith('kafka_2.13-3.9.1'))) {
    throw new TukangError('STACK_PROVISION_FAILED', `mvn finished but ${layout.kafkaLibs} holds no kafka_2.13-3.9.1 jar`);
  }
  writeFileSync(stamp, `${want}\n`);
}

function serverProperties(layout: StackLayout, ports: StackPorts): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}`,
    `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${layout.kafkaData}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=8',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Lets tests use short session timeouts, so a killed member leaves its group within seconds.
    'group.min.session.timeout.ms=1000',
    'auto.create.topics.enable=true',
    'log.retention.check.interval.ms=10000',
    '',
  ].join('\n');
}

function clusterId(layout: StackLayout): string {
  const file = join(layout.runDir, 'kafka-cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding (22 characters).
  // It must not start with '-', or the storage tool's argument parser takes it for an option.
  let id = randomBytes(16).toString('base64url');
  while (id.startsWith('-')) id = randomBytes(16).toString('base64url');
  writeFileSync(file, `${id}\n`);
  return id;
}

function javaArgs(layout: StackLayout, mainClass: string, args: string[]): string[] {
  return [
    '-Xms512m',
    '-Xmx1g',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(RESOURCES_DIR, 'kafka', 'log4j.properties')}`,
    `-Dkafka.logs.dir=${layout.runDir}`,
    '-cp',
    `${layout.kafkaLibs}/*`,
    mainClass,
    ...args,
  ];
}

/** Formats storage (idempotent) and starts the broker; returns its pid without waiting. */
export async function startKafka(layout: StackLayout, ports: StackPorts): Promise<number> {
  mkdirSync(layout.kafkaData, { recursive: true });
  const props = join(layout.runDir, 'server.properties');
  writeFileSync(props, serverProperties(layout, ports));
  try {
    await runToLog('java', javaArgs(layout, 'kafka.tools.StorageTool', ['format', '-t', clusterId(layout), '-c', props, '--ignore-formatted']), {
      cwd: layout.runDir,
      logFile: layout.kafkaLog,
    });
  } catch (err) {
    throw new TukangError('STACK_START_FAILED', `formatting Kafka storage failed: ${(err as Error).message}`, { cause: err });
  }
  return startDetached('java', javaArgs(layout, KAFKA_MARKER, [props]), { cwd: layout.runDir, env: process.env, logFile: layout.kafkaLog });
}

/** Waits until the broker's log says it started after `since`, or fails naming the log. */
export async function waitForKafka(layout: StackLayout, pid: number, sinceBytes: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new TukangError('STACK_START_FAILED', `Kafka exited during start-up; see ${layout.kafkaLog}`);
    if (logSince(layout.kafkaLog, sinceBytes).includes('Kafka Server started')) return;
    await sleep(250);
  }
  throw new TukangError('STACK_START_FAILED', `Kafka did not report "Kafka Server started" within ${timeoutMs} ms; see ${layout.kafkaLog}`);
}

export function logSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function logSince(file: string, offset: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file).subarray(offset).toString('utf8');
}
