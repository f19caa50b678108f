import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files of the repository that the stack needs (the Kafka POM, the pinned LocalStack requirements). */
export const RESOURCES_DIR = fileURLToPath(new URL('../../../stack/', import.meta.url));

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  s3: number;
}

/** Where the local stack keeps everything: caches that survive `down`, and the running state. */
export interface StackLayout {
  home: string;
  kafkaLibs: string;
  kafkaHome: string;
  venv: string;
  runDir: string;
  kafkaData: string;
  s3Data: string;
  kafkaLog: string;
  s3Log: string;
  provisionLog: string;
  stateFile: string;
}

export function resolveHome(configured: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const home = configured ?? env['TUKANG_STACK_HOME'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'tukang');
  return resolve(home);
}

export function stackLayout(home: string): StackLayout {
  const runDir = join(home, 'run');
  return {
    home,
    kafkaHome: join(home, 'kafka-3.9.1'),
    kafkaLibs: join(home, 'kafka-3.9.1', 'libs'),
    venv: join(home, 'localstack-4.13.1', 'venv'),
    runDir,
    kafkaData: join(runDir, 'kafka-data'),
    s3Data: join(runDir, 's3-data'),
    kafkaLog: join(runDir, 'kafka.log'),
    s3Log: join(runDir, 'localstack.log'),
    provisionLog: join(runDir, 'provision.log'),
    stateFile: join(runDir, 'state.json'),
  };
}

export interface ServerState {
  pid: number;
  port: number;
  log: string;
  started_at: string;
}

export interface StackState {
  kafka?: ServerState & { controller_port: number };
  s3?: ServerState;
}

export function readState(layout: StackLayout): StackState {
  if (!existsSync(layout.stateFile)) return {};
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as StackState;
  } catch {
    return {};
  }
}

export function writeState(layout: StackLayout, state: StackState): void {
  mkdirSync(layout.runDir, { recursive: true });
  const tmp = `${layout.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, layout.stateFile);
}
