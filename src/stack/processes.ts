import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../core/process-alive.js';
import { TukangError } from '../errors/catalogue.js';

/** Starts a long-running server detached from this process, its output appended to a log file. */
export function startDetached(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): number {
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new TukangError('STACK_START_FAILED', `could not start ${command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}


/** The command line of a process, or undefined when it is gone (Linux /proc). */
export function commandLine(pid: number): string | undefined {
  const file = `/proc/${pid}/cmdline`;
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** True when the pid is alive and its command line contains the marker we started it with. */
export function isOurs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  const cmd = commandLine(pid);
  // Without /proc (not Linux) we cannot tell; trust the pid file.
  return cmd === undefined ? true : cmd.includes(marker);
}

/** SIGTERM to the process group, then SIGKILL after the grace period. Resolves when it is gone. */
export async function stopProcess(pid: number, graceMs: number): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(200);
  }
  signalGroup(pid, 'SIGKILL');
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  return 'killed';
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Resolves true when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Best-effort name of the process listening on a TCP port, for error messages (needs `ss`). */
export function whoListens(port: number): string | undefined {
  const out = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  if (out.status !== 0 || !out.stdout) return undefined;
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(out.stdout);
  return match ? `${match[1]} (pid ${match[2]})` : undefined;
}

/** Whether a program is on the PATH. */
export function hasProgram(program: string): boolean {
  const out = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return out.status === 0 && out.stdout.trim() !== '';
}

/** Runs a command to completion, its output appended to a log file; rejects on a non-zero exit. */
export function runToLog(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(options.logFile, 'a');
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', fd, fd] });
    child.once('error', (err) => {
      closeSync(fd);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new TukangError('STACK_PROVISION_FAILED', `${command} ${args.join(' ')} exited with ${code ?? signal}; see ${options.logFile}`));
    });
  });
}
