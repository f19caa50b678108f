/**
 * Runs Python reader code (PyIceberg, DuckDB's iceberg extension, fastavro) for the Iceberg
 * tests. The virtualenv is provisioned once under ~/.cache/tukang from
 * test/readers/iceberg-requirements.txt (pinned); TUKANG_ICEBERG_PYTHON points at another
 * interpreter that has them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './cli.js';

const run = promisify(execFile);
const REQUIREMENTS = join(ROOT, 'test', 'readers', 'iceberg-requirements.txt');
let provisioned: Promise<string> | undefined;

async function python(): Promise<string> {
  const fromEnv = process.env['TUKANG_ICEBERG_PYTHON'];
  if (fromEnv) return fromEnv;
  const dir = join(homedir(), '.cache', 'tukang', 'venv-iceberg');
  const bin = join(dir, 'bin', 'python');
  const stamp = join(dir, 'requirements.txt');
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return bin;
  await run('python3', ['-m', 'venv', dir]);
  await run(bin, ['-m', 'pip', 'install', '--quiet', '-r', REQUIREMENTS], { maxBuffer: 16 * 1024 * 1024, timeout: 900_000 });
  writeFileSync(stamp, wanted);
  return bin;
}

/** Runs `code` with `input` as JSON on stdin and returns what it prints as JSON on stdout. */
export async function runPython<T>(code: string, input: unknown): Promise<T> {
  provisioned ??= python();
  const bin = await provisioned;
  const child = execFile(bin, ['-c', code], { maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
  const done = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python exited ${String(code)}: ${err.slice(-4000)}`))));
  });
  child.stdin?.end(JSON.stringify(input));
  return JSON.parse(await done) as T;
}
