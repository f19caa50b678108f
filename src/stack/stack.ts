/**
 * `tukang stack up | down | status`: the local stack (Kafka + LocalStack S3) on 127.0.0.1 without
 * Docker. Idempotent: `up` reuses servers it started earlier; `down` stops only the pids it recorded.
 */
import { rmSync } from 'node:fs';
import { TukangError } from '../errors/catalogue.js';
import { KAFKA_MARKER, logSize, provisionKafka, startKafka, waitForKafka } from './kafka-server.js';
import { readState, stackLayout, writeState, type StackLayout, type StackPorts, type StackState } from './layout.js';
import { LOCALSTACK_MARKER, provisionLocalStack, s3Health, startLocalStack, waitForLocalStack } from './localstack-server.js';
import { hasProgram, isListening, isOurs, stopProcess, whoListens } from './processes.js';

export interface StackOptions {
  home: string;
  ports: StackPorts;
  readyTimeoutMs: number;
  log: (message: string) => void;
}

export interface ServerStatus {
  name: 'kafka' | 's3';
  state: 'running' | 'stopped' | 'unhealthy' | 'foreign';
  pid: number | null;
  address: string;
  log: string;
}

export interface StackStatus {
  kafka: ServerStatus;
  s3: ServerStatus;
  brokers: string;
  s3_endpoint: string;
}

const REQUIRED_TOOLS: ReadonlyArray<{ program: string; for: string }> = [
  { program: 'java', for: 'Kafka (OpenJDK 17 or newer)' },
  { program: 'mvn', for: 'resolving the Kafka jars from Maven Central' },
  { program: 'python3', for: 'LocalStack (Python 3.11)' },
];

export function checkTools(has: (program: string) => boolean = hasProgram): void {
  const missing = REQUIRED_TOOLS.filter((t) => !has(t.program));
  if (missing.length === 0) return;
  const list = missing.map((t) => `${t.program} (for ${t.for})`).join(', ');
  throw new TukangError(
    'STACK_TOOL_MISSING',
    `the local stack needs ${list}, which ${missing.length === 1 ? 'is' : 'are'} not installed. ` +
      'Install it, or run the same stack with Docker: docker compose up -d kafka localstack',
    { details: { missing: missing.map((t) => t.program) } },
  );
}

export async function stackUp(options: StackOptions): Promise<StackStatus> {
  const layout = stackLayout(options.home);
  const state = readState(layout);
  const kafkaRunning = state.kafka !== undefined && isOurs(state.kafka.pid, KAFKA_MARKER);
  const s3Running = state.s3 !== undefined && isOurs(state.s3.pid, LOCALSTACK_MARKER);

  if (!kafkaRunning) {
    await ensurePortFree(options.ports.kafka, 'stack.kafka_port', 'Kafka');
    await ensurePortFree(options.ports.kafkaController, 'stack.kafka_controller_port', 'the Kafka controller');
    delete state.kafka;
  }
  if (!s3Running) {
    await ensurePortFree(options.ports.s3, 'stack.s3_port', 'LocalStack S3');
    delete state.s3;
  }
  if (!kafkaRunning || !s3Running) checkTools();

  // Both servers provision and boot in parallel: on two cores this halves a cold start.
  await Promise.all([
    kafkaRunning ? reuse(options, 'Kafka', state.kafka?.pid) : bootKafka(layout, options, state),
    s3Running ? reuse(options, 'LocalStack S3', state.s3?.pid) : bootLocalStack(layout, options, state),
  ]);
  writeState(layout, state);
  return stackStatus(options);
}

async function reuse(options: StackOptions, what: string, pid: number | undefined): Promise<void> {
  options.log(`${what} already running (pid ${pid}); reusing it`);
}

async function bootKafka(layout: StackLayout, options: StackOptions, state: StackState): Promise<void> {
  await provisionKafka(layout, options.log);
  const since = logSize(layout.kafkaLog);
  const pid = await startKafka(layout, options.ports);
  state.kafka = { pid, port: options.ports.kafka, controller_port: options.ports.kafkaController, log: layout.kafkaLog, started_at: new Date().toISOString() };
  writeState(layout, state);
  options.log(`Kafka starting (pid ${pid}), log: ${layout.kafkaLog}`);
  await waitForKafka(layout, pid, since, options.readyTimeoutMs);
  options.log(`Kafka ready on 127.0.0.1:${options.ports.kafka}`);
}

async function bootLocalStack(layout: StackLayout, options: StackOptions, state: StackState): Promise<void> {
  await provisionLocalStack(layout, options.log);
  const pid = startLocalStack(layout, options.ports.s3);
  state.s3 = { pid, port: options.ports.s3, log: layout.s3Log, started_at: new Date().toISOString() };
  writeState(layout, state);
  options.log(`LocalStack starting (pid ${pid}), log: ${layout.s3Log}`);
  await waitForLocalStack(layout, pid, options.ports.s3, options.readyTimeoutMs);
  options.log(`LocalStack S3 ready on http://127.0.0.1:${options.ports.s3}`);
}

async function ensurePortFree(port: number, key: string, what: string): Promise<void> {
  if (!(await isListening(port))) return;
  const owner = whoListens(port);
  throw new TukangError(
    'STACK_PORT_TAKEN',
    `port ${port} (${key}), needed for ${what}, is already in use${owner ? ` by ${owner}` : ''} and not by a server this stack started. ` +
      `Stop that process or choose another port with ${key} in the config.`,
    { details: { port, key } },
  );
}

export async function stackDown(options: Pick<StackOptions, 'home' | 'log'> & { purge?: boolean }): Promise<void> {
  const layout = stackLayout(options.home);
  const state = readState(layout);
  const servers: Array<[string, number | undefined, string]> = [
    ['Kafka', state.kafka?.pid, KAFKA_MARKER],
    ['LocalStack S3', state.s3?.pid, LOCALSTACK_MARKER],
  ];
  await Promise.all(
    servers.map(async ([what, pid, marker]) => {
      if (pid === undefined) return;
      if (!isOurs(pid, marker)) {
        options.log(`${what}: pid ${pid} is no longer ours; nothing to stop`);
        return;
      }
      // LocalStack exits slowly on SIGTERM; it is killed after the grace period.
      const outcome = await stopProcess(pid, what === 'Kafka' ? 20_000 : 8_000);
      options.log(`${what} (pid ${pid}) ${outcome}`);
    }),
  );
  writeState(layout, {});
  if (options.purge) {
    rmSync(layout.kafkaData, { recursive: true, force: true });
    rmSync(layout.s3Data, { recursive: true, force: true });
    options.log('removed Kafka and S3 data');
  }
}

export async function stackStatus(options: Pick<StackOptions, 'home' | 'ports'>): Promise<StackStatus> {
  const layout = stackLayout(options.home);
  const state = readState(layout);
  const kafkaPort = state.kafka?.port ?? options.ports.kafka;
  const s3Port = state.s3?.port ?? options.ports.s3;

  const kafkaOurs = state.kafka !== undefined && isOurs(state.kafka.pid, KAFKA_MARKER);
  const kafkaListening = await isListening(kafkaPort);
  const s3Ours = state.s3 !== undefined && isOurs(state.s3.pid, LOCALSTACK_MARKER);
  const s3State = await s3Health(s3Port);

  return {
    kafka: {
      name: 'kafka',
      state: kafkaOurs ? (kafkaListening ? 'running' : 'unhealthy') : kafkaListening ? 'foreign' : 'stopped',
      pid: kafkaOurs ? (state.kafka?.pid ?? null) : null,
      address: `127.0.0.1:${kafkaPort}`,
      log: layout.kafkaLog,
    },
    s3: {
      name: 's3',
      state: s3Ours ? (s3State === 'ready' ? 'running' : 'unhealthy') : s3State === 'ready' ? 'foreign' : 'stopped',
      pid: s3Ours ? (state.s3?.pid ?? null) : null,
      address: `http://127.0.0.1:${s3Port}`,
      log: layout.s3Log,
    },
    brokers: `127.0.0.1:${kafkaPort}`,
    s3_endpoint: `http://127.0.0.1:${s3Port}`,
  };
}
