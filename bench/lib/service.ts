/**
 * Runs `tukang run` as its own process (so that its RSS and CPU are its own), samples
 * /proc/<pid> and the group's committed offsets, and reports progress over time.
 */
import { ADVISED_MALLOC_ENV } from '../../src/materializer/runtime-memory.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Kafka } from 'kafkajs';
import { sleep } from './common.js';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface ProcSample {
  atMs: number;
  rssKiB: number;
  hwmKiB: number;
  cpuSec: number;
}

export function readProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      atMs: Date.now(),
      rssKiB: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
      hwmKiB: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
      cpuSec: (utime + stime) / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

export interface ServiceOptions {
  config: Record<string, unknown>;
  /** `run` (materializer and catalog as configured) or `catalog` (the catalog alone). */
  command?: 'run' | 'catalog';
  heapLimitMiB: number;
  /** Young-generation semi-space size in MiB (V8's --max-semi-space-size); V8's default when absent. */
  semiSpaceMiB?: number;
  /** V8's initial old-generation limit in MiB (--initial-old-space-size, a command-line flag: NODE_OPTIONS refuses it). */
  initialOldSpaceMiB?: number;
  /** Directory for a V8 CPU profile of the service, when profiling. */
  cpuProfDir?: string;
}

export interface RunningService {
  child: ChildProcess;
  pid: number;
  /** Parsed JSON log lines, request log lines excepted. */
  logs: Array<Record<string, unknown>>;
  /** Server-side time of each request (the request log's responseTime, ms), in log order. */
  requestMs: number[];
  firstLogTime(msg: string): number | undefined;
  stop(): Promise<number | null>;
}

/**
 * The glibc malloc settings a service started now gets: those docs/architecture.md (Memory)
 * advises, a variable set in the bench's own environment winning; none with
 * BENCH_SERVICE_MALLOC=glibc (glibc's own behaviour, to measure what the settings change).
 */
export function serviceMallocEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const advised = process.env['BENCH_SERVICE_MALLOC'] === 'glibc' ? {} : ADVISED_MALLOC_ENV;
  for (const [name, value] of Object.entries(advised)) env[name] = process.env[name] ?? value;
  return env;
}

export function startService(options: ServiceOptions): RunningService {
  const dir = mkdtempSync(join(tmpdir(), 'tukang-bench-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(options.config, null, 2));
  // The heap limit goes in NODE_OPTIONS as the docs say; --cpu-prof is not allowed there (Node 20).
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const heap = options.initialOldSpaceMiB ? [`--initial-old-space-size=${options.initialOldSpaceMiB}`] : [];
  const child = spawn(process.execPath, [...heap, ...profile, 'bin/tukang.js', options.command ?? 'run', '--config', file], {
    cwd: process.cwd(),
    // BENCH_SERVICE_NODE_OPTIONS adds diagnostics (e.g. --import of a memory sampler, --trace-gc) to the service only.
    env: {
      ...process.env,
      ...serviceMallocEnv(),
      NODE_OPTIONS: [`--max-old-space-size=${options.heapLimitMiB}`, ...(options.semiSpaceMiB ? [`--max-semi-space-size=${options.semiSpaceMiB}`] : []), process.env['BENCH_SERVICE_NODE_OPTIONS'] ?? ''].join(' ').trim(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const requestMs: number[] = [];
  const collect = (stream: NodeJS.ReadableStream | null): void => {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => {
      // Request log lines (hundreds a second under load) keep only the server-side time: parsing
      // and keeping each one would load the bench process, which also drives the load.
      if (line.includes('"msg":"request completed"')) {
        const time = /"responseTime":(\d+)/.exec(line)?.[1];
        if (time !== undefined) requestMs.push(Number(time));
        return;
      }
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line, time: Date.now() });
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error('could not start the service');
  return {
    child,
    pid: child.pid,
    logs,
    requestMs,
    firstLogTime(msg: string): number | undefined {
      const line = logs.find((l) => l['msg'] === msg);
      const time = line?.['time'];
      if (typeof time === 'number') return time;
      return typeof time === 'string' ? Date.parse(time) : undefined;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timeout = sleep(60_000).then(() => {
        child.kill('SIGKILL');
        return null;
      });
      const code = await Promise.race([exited, timeout]);
      // BENCH_SERVICE_LOG=<dir> keeps each service's log lines there, one JSON line each, for diagnosis.
      const logDir = process.env['BENCH_SERVICE_LOG'];
      if (logDir) writeFileSync(join(logDir, `service-${child.pid ?? 'unknown'}.log`), logs.map((l) => JSON.stringify(l)).join('\n') + '\n');
      return code;
    },
  };
}

export interface ProgressSample {
  atMs: number;
  /** Records below the group's committed offsets, over all partitions (since the start offsets). */
  committed: number;
  rssKiB: number;
  hwmKiB: number;
  cpuSec: number;
}

/**
 * Samples the process and the group's committed offsets every `everyMs` until every partition is
 * committed up to `ends` (or `timeoutMs` passes). Returns the samples.
 */
export async function watchUntilCommitted(
  kafka: Kafka,
  service: RunningService,
  groupId: string,
  topic: string,
  ends: () => Map<number, number> | undefined,
  options: { everyMs: number; timeoutMs: number },
): Promise<{ samples: ProgressSample[]; done: boolean }> {
  const admin = kafka.admin();
  await admin.connect();
  const samples: ProgressSample[] = [];
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const proc = readProc(service.pid);
      if (!proc) throw new Error(`the service exited early:\n${service.logs.slice(-20).map((l) => JSON.stringify(l)).join('\n')}`);
      let committed = 0;
      const byPartition = new Map<number, number>();
      for (const p of offsets[0]?.partitions ?? []) {
        const o = Number(p.offset);
        byPartition.set(p.partition, o);
        if (o > 0) committed += o;
      }
      samples.push({ atMs: Date.now(), committed, rssKiB: proc.rssKiB, hwmKiB: proc.hwmKiB, cpuSec: proc.cpuSec });
      const target = ends();
      if (target && [...target].every(([p, end]) => (byPartition.get(p) ?? -1) >= end)) return { samples, done: true };
      if (Date.now() > deadline) return { samples, done: false };
      await sleep(options.everyMs);
    }
  } finally {
    await admin.disconnect();
  }
}
