/**
 * Runs Python reader code (PyIceberg, DuckDB's iceberg extension) for the Iceberg tests, in the
 * readers' virtualenv (test/helpers/python-readers.ts), passing the request as JSON on stdin.
 */
import { execFile } from 'node:child_process';
import { readersPython } from './python-readers.js';

/** Runs `code` with `input` as JSON on stdin and returns what it prints as JSON on stdout. */
export async function runPython<T>(code: string, input: unknown): Promise<T> {
  const bin = await readersPython();
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
