/**
 * The side-by-side peer of `npm run bench --peer iceberg-kafka-connect`: Apache Iceberg's Kafka
 * Connect sink, set up by `../shared/peers/iceberg-kafka-connect/` (its README says how), drains the
 * same backlog topic as Tukang, one run after the other, and reports the same figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brokers, s3Endpoint } from './common.js';

export const PEERS = ['iceberg-kafka-connect'] as const;
export type PeerName = (typeof PEERS)[number];

export interface PeerResult {
  peer: PeerName;
  events: number;
  /** From the peer's consumer group assignment to its last offset commit, as Tukang is measured. */
  wall_s: number;
  events_per_s: number;
  /** 10 % → 90 % of the records committed. */
  steady_events_per_s: number | null;
  startup_s: number;
  cpu_s: number;
  cpu_s_per_million: number;
  peak_rss_mib: number;
  table_rows_at_end: number;
  run_dir: string;
}

/** Why the peer cannot run here, or undefined when it can. */
export function peerUnavailable(dir: string): string | undefined {
  if (!existsSync(join(dir, 'run.sh'))) return `the peer's harness is not at ${dir} (--peer-dir)`;
  for (const tool of ['java', 'mvn', 'python3', 'envsubst']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not on PATH (the peer needs Java 17+, Maven, Python 3 and envsubst)`;
  }
  return undefined;
}

export function defaultPeerDir(name: PeerName): string {
  return resolve('..', 'shared', 'peers', name);
}

function runScript(dir: string, script: string, args: string[], log: (m: string) => void): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('bash', [join(dir, script), ...args], {
      cwd: dir,
      env: { ...process.env, BROKERS: brokers().join(','), S3_ENDPOINT: s3Endpoint() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) log(`peer ${script}: ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`${script} exited ${code}: ${out.split('\n').slice(-8).join(' | ')}`))));
  });
}

/** Sets the peer up (idempotent: jars and venv are cached outside the repository) and drains `topic`. */
export async function runPeer(name: PeerName, dir: string, topic: string, prefix: string, log: (m: string) => void): Promise<PeerResult> {
  await runScript(dir, 'setup.sh', [], log);
  const out = await runScript(dir, 'run.sh', [topic, prefix], log);
  const runDir = /run: result (\S+)\/result\.json/.exec(out)?.[1];
  if (!runDir) throw new Error('run.sh did not name its result file');
  const r = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as Record<string, number>;
  const steady = r['commit_10_to_90_s'] ?? 0;
  return {
    peer: name,
    events: r['events'] ?? 0,
    wall_s: r['wall_s'] ?? 0,
    events_per_s: r['events_per_s'] ?? 0,
    steady_events_per_s: steady > 0 ? Math.round((0.8 * (r['events'] ?? 0)) / steady) : null,
    startup_s: r['startup_s'] ?? 0,
    cpu_s: r['cpu_s'] ?? 0,
    cpu_s_per_million: r['cpu_s_per_million'] ?? 0,
    peak_rss_mib: r['peak_rss_mib'] ?? 0,
    table_rows_at_end: r['table_rows_at_end'] ?? 0,
    run_dir: runDir,
  };
}
