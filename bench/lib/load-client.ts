/**
 * The HTTP load clients of the catalog bench, each run as a process of its own at a fixed request
 * rate over keep-alive connections. vegeta (Go, open loop) is the one the listing target is
 * judged by; autocannon (Node) is kept beside it for the history of runs. Measured against a bare
 * Node server returning a 36 KB body at 500 requests/s, autocannon alone adds ~15 ms at p99
 * (its JavaScript HTTP parser and GC run on the same two cores), vegeta ~4 ms; `clientFloor`
 * measures that in every run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  ratePerSec: number;
  durationSec: number;
  headers: Record<string, string>;
}

export interface LoadResult {
  client: 'vegeta' | 'autocannon';
  requests: number;
  non2xx: number;
  errors: number;
  achievedPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** vegeta's module and version: `go install` builds it once into the user's cache. */
const VEGETA_MODULE = 'github.com/tsenart/vegeta/v12@v12.12.0';
const VEGETA_DIR = join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'tukang', 'vegeta-v12.12.0');

/** The vegeta binary, built with Go from the module proxy when missing; a reason string when it cannot be. */
export function vegetaBinary(): { path: string } | { unavailable: string } {
  const path = join(VEGETA_DIR, 'vegeta');
  if (existsSync(path)) return { path };
  if (spawnSync('sh', ['-c', 'command -v go']).status !== 0) return { unavailable: 'Go is not on PATH, so vegeta cannot be built (go install ' + VEGETA_MODULE + ')' };
  const built = spawnSync('go', ['install', VEGETA_MODULE], { env: { ...process.env, GOBIN: VEGETA_DIR }, encoding: 'utf8' });
  if (built.status !== 0 || !existsSync(path)) return { unavailable: `go install ${VEGETA_MODULE} failed: ${(built.stderr ?? '').slice(-400)}` };
  return { path };
}

function run(command: string, args: string[], input?: string): Promise<string> {
  const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  if (input !== undefined) child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.slice(-500)}`))));
  });
}

const msOfNs = (ns: number): number => Math.round(ns / 1e4) / 100;

interface VegetaReport {
  latencies: { '50th': number; '90th': number; '99th': number; max: number };
  requests: number;
  throughput: number;
  status_codes: Record<string, number>;
  errors: string[] | null;
}

/** One vegeta attack (a fixed rate, open loop: a slow answer does not delay the next request). */
export async function vegetaRun(binary: string, options: LoadOptions): Promise<LoadResult> {
  const target = [`GET ${options.url}`, ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`), ''].join('\n');
  const conns = String(options.connections);
  const attack = ['attack', '-rate', `${options.ratePerSec}/1s`, '-duration', `${options.durationSec}s`, '-connections', conns, '-max-connections', conns, '-keepalive=true', '-max-body', '0'];
  // The attack's results go through a pipe of the shell, so the bench never holds them; with
  // -max-body 0 they carry no bodies, which the report would otherwise decode while the run goes on.
  const script = `"$0" ${attack.map((a) => `'${a}'`).join(' ')} | "$0" report -type json`;
  const out = await run('sh', ['-c', script, binary], target);
  const report = JSON.parse(out) as VegetaReport;
  const ok = Object.entries(report.status_codes).reduce((n, [code, count]) => (code.startsWith('2') ? n + count : n), 0);
  const failed = report.status_codes['0'] ?? 0;
  return {
    client: 'vegeta',
    requests: report.requests,
    non2xx: report.requests - ok - failed,
    errors: failed,
    achievedPerSec: Math.round(report.throughput * 10) / 10,
    p50Ms: msOfNs(report.latencies['50th']),
    p90Ms: msOfNs(report.latencies['90th']),
    p99Ms: msOfNs(report.latencies['99th']),
    maxMs: msOfNs(report.latencies.max),
  };
}

/**
 * autocannon's CLI in a child process. In the bench's own process its timings would include the
 * pauses of that event loop, which also parses every log line of the catalog (500 a second):
 * autocannon corrects for coordinated omission, so a stall of the client counts as server latency.
 */
export async function autocannonRun(options: LoadOptions): Promise<LoadResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [cli, '-j', '-c', String(options.connections), '-R', String(options.ratePerSec), '-d', String(options.durationSec)];
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}=${value}`);
  args.push(options.url);
  const out = await run(process.execPath, args);
  const line = out.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`autocannon printed no result: ${out.slice(-300)}`);
  const result = JSON.parse(line) as autocannon.Result;
  return {
    client: 'autocannon',
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    achievedPerSec: Math.round(result.requests.average * 10) / 10,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}

/**
 * What a client measures against a server that does nothing: a bare Node HTTP server in a child
 * process answering every request with the same `bytes` of JSON. The floor under any catalog figure.
 */
export async function clientFloor(bytes: number, load: (url: string) => Promise<LoadResult>): Promise<LoadResult> {
  const code = `const b=Buffer.alloc(${bytes},32);require('node:http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json','content-length':b.length});s.end(b)}).listen(0,'127.0.0.1',function(){process.stdout.write(String(this.address().port)+'\\n')})`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', (c) => reject(new Error(`the bare server exited ${c}`)));
    });
    return await load(`http://127.0.0.1:${port}/`);
  } finally {
    child.kill();
  }
}
