/**
 * LocalStack 4.13.1 serving S3 only, from a Python virtualenv in the stack's cache with every
 * dependency pinned (stack/localstack/requirements.txt).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TukangError } from '../errors/catalogue.js';
import { RESOURCES_DIR, type StackLayout } from './layout.js';
import { isAlive } from '../core/process-alive.js';
import { runToLog, startDetached } from './processes.js';

export const LOCALSTACK_MARKER = 'localstack.runtime.main';

function requirementsPath(): string {
  return join(RESOURCES_DIR, 'localstack', 'requirements.txt');
}

function venvPython(layout: StackLayout): string {
  return join(layout.venv, 'bin', 'python');
}

/** Creates the virtualenv and installs the pinned requirements unless the cache already matches. */
export async function provisionLocalStack(layout: StackLayout, log: (msg: string) => void): Promise<void> {
  const stamp = join(dirname(layout.venv), '.provisioned');
  const want = createHash('sha256').update(readFileSync(requirementsPath())).digest('hex').slice(0, 16);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want && existsSync(venvPython(layout))) return;
  mkdirSync(dirname(layout.venv), { recursive: true });
  mkdirSync(layout.runDir, { recursive: true });
  log(`installing LocalStack 4.13.1 into ${layout.venv} (once; log: ${layout.provisionLog})`);
  try {
    if (!existsSync(venvPython(layout))) {
      await runToLog('python3', ['-m', 'venv', layout.venv], { cwd: layout.home, logFile: layout.provisionLog });
    }
    await runToLog(venvPython(layout), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', requirementsPath()], {
      cwd: layout.home,
      logFile: layout.provisionLog,
    });
  } catch (err) {
    throw new TukangError('STACK_PROVISION_FAILED', `installing LocalStack failed: ${(err as Error).message}`, { cause: err });
  }
  writeFileSync(stamp, `${want}\n`);
}

export function startLocalStack(layout: StackLayout, port: number): number {
  mkdirSync(layout.s3Data, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SERVICES: 's3',
    GATEWAY_LISTEN: `127.0.0.1:${port}`,
    // The default server ignores the host part of GATEWAY_LISTEN; hypercorn binds loopback only.
    GATEWAY_SERVER: 'hypercorn',
    DNS_ADDRESS: '0',
    DISABLE_EVENTS: '1',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    FILESYSTEM_ROOT: layout.s3Data,
    LOCALSTACK_HOST: `127.0.0.1:${port}`,
  };
  return startDetached(venvPython(layout), ['-m', LOCALSTACK_MARKER], { cwd: layout.runDir, env, logFile: layout.s3Log });
}

/** S3 is ready when LocalStack's health endpoint reports it available or running. */
export async function s3Health(port: number): Promise<'ready' | 'starting' | 'down'> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/_localstack/health`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return 'starting';
    const body = (await res.json()) as { services?: Record<string, string> };
    const s3 = body.services?.['s3'];
    return s3 === 'available' || s3 === 'running' ? 'ready' : 'starting';
  } catch {
    return 'down';
  }
}

export async function waitForLocalStack(layout: StackLayout, pid: number, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new TukangError('STACK_START_FAILED', `LocalStack exited during start-up; see ${layout.s3Log}`);
    if ((await s3Health(port)) === 'ready') return;
    await sleep(300);
  }
  throw new TukangError('STACK_START_FAILED', `LocalStack S3 was not healthy within ${timeoutMs} ms; see ${layout.s3Log}`);
}
