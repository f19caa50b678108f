/**
 * The real readers the tests check the lake with (DuckDB and its extensions, pyarrow, polars,
 * PyIceberg, Schemathesis), in a Python virtualenv made from the pinned `test/readers/requirements.txt`.
 *
 * The virtualenv lives under the stack's cache (`~/.cache/tukang/readers-<hash of the file>`), so it is
 * made once per version of the requirements; `npm test` provisions it before the tests start, and a
 * lone test file provisions it on first use. Provisioning builds into a temporary folder and renames it
 * into place, so two test processes never see a half-installed one.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveHome } from '../../src/stack/layout.js';

const run = promisify(execFile);

/** `test/readers/` in the repository (this file runs from `dist/test/helpers/`). */
export const READERS_DIR = fileURLToPath(new URL('../../../test/readers/', import.meta.url));
const REQUIREMENTS = join(READERS_DIR, 'requirements.txt');

function venvDir(): string {
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 12);
  return join(resolveHome(null), `readers-${hash}`);
}

let provisioned: Promise<string> | undefined;

/** The virtualenv's python, installing the pinned requirements first when needed. */
export function readersPython(log: (msg: string) => void = () => undefined): Promise<string> {
  provisioned ??= provision(log);
  return provisioned;
}

async function provision(log: (msg: string) => void): Promise<string> {
  const dir = venvDir();
  const python = join(dir, 'bin', 'python');
  if (existsSync(python)) return python;
  mkdirSync(resolveHome(null), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  log(`installing the test readers into ${dir} (once)`);
  try {
    await run('python3', ['-m', 'venv', tmp], { maxBuffer: 16 << 20 });
    await run(join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS], {
      maxBuffer: 64 << 20,
      timeout: 15 * 60_000,
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`installing the test readers from ${REQUIREMENTS} failed: ${(err as Error).message}`);
  }
  // A virtualenv keeps its absolute path in its scripts; `python -m …` works from the renamed folder.
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(python)) throw err;
  }
  return python;
}

export interface PythonResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PythonOptions {
  /** Extra environment (S3_ENDPOINT etc. are passed through from the test's environment). */
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}

/**
 * Runs a Python program in the readers' virtualenv. `test/readers/` is on `PYTHONPATH`, so
 * `import tukang_readers` gives the helpers there (a DuckDB connection with the bundled extensions
 * and the stack's S3 settings, and the same settings for pyarrow, polars and PyIceberg).
 */
export async function runPython(source: string, options: PythonOptions = {}): Promise<PythonResult> {
  const python = await readersPython();
  return new Promise<PythonResult>((resolve, reject) => {
    const child = spawn(python, ['-c', source, ...(options.args ?? [])], {
      env: { ...process.env, PYTHONPATH: READERS_DIR, PYTHONDONTWRITEBYTECODE: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 137 : 1), stdout, stderr });
    });
  });
}

/** Runs Python that prints one JSON document on its last stdout line; fails with stderr otherwise. */
export async function pythonJson<T>(source: string, options: PythonOptions = {}): Promise<T> {
  const r = await runPython(source, options);
  if (r.code !== 0) throw new Error(`python exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}
