import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../helpers/cli.js';

/**
 * The folders of src/, lowest first. A file may import its own folder and any folder before it,
 * never one after it: the order is the flow of a record (source → cleansing → buffering → commit →
 * writing, which orchestrates encoding and committing) with the shared pieces (core, errors, log,
 * config, storage, lake) at the bottom and the assembly (service, stack, cli) at the top.
 */
export const LAYERS = [
  'core',
  'errors',
  'log',
  'config',
  'storage',
  'lake',
  'source',
  'cleansing',
  'buffering',
  'commit',
  'writing',
  'replay',
  'compaction',
  'iceberg',
  'materializer',
  'catalog',
  'service',
  'stack',
  'sample',
  'cli',
] as const;

/** Folders where kafkajs may be imported: the source itself, and the CLI's sample producer. */
const KAFKAJS_ALLOWED = new Set(['source', 'cli']);

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every module specifier of a TypeScript file: static imports, re-exports and dynamic imports. */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g)) found.push(m[1] ?? '');
  for (const m of source.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) found.push(m[1] ?? '');
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1] ?? '');
  return found;
}

function layerOf(file: string): string {
  return file.split('/')[1] ?? '';
}

/** Import problems of one file (path relative to the repository, e.g. src/commit/commit-log.ts). */
export function violations(file: string, source: string): string[] {
  const problems: string[] = [];
  const from = layerOf(file);
  const fromRank = LAYERS.indexOf(from as (typeof LAYERS)[number]);
  if (fromRank < 0) problems.push(`${file}: folder ${from} has no place in LAYERS`);
  for (const spec of specifiers(source)) {
    if (spec === 'kafkajs' || spec.startsWith('kafkajs/')) {
      if (!KAFKAJS_ALLOWED.has(from)) problems.push(`${file} imports kafkajs outside source/`);
      continue;
    }
    if (!spec.startsWith('.')) continue;
    const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
    const to = layerOf(target);
    if (to === from) continue;
    const toRank = LAYERS.indexOf(to as (typeof LAYERS)[number]);
    if (toRank > fromRank) problems.push(`${file} imports ${target}: ${from} → ${to} goes upward`);
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => relative(ROOT, join(ROOT, dir, f)).split('\\').join('/'))
    .sort();
}

test('src/ imports only downward in the layer order, and kafkajs only inside source/', () => {
  const problems = sourceFiles('src').flatMap((file) => violations(file, readFileSync(join(ROOT, file), 'utf8')));
  assert.deepEqual(problems, []);
});

test('the checker sees upward imports, kafkajs outside source/ and unknown folders', () => {
  assert.deepEqual(violations('src/commit/x.ts', "import { A } from '../writing/parquet/y.js';"), ['src/commit/x.ts imports src/writing/parquet/y.ts: commit → writing goes upward']);
  assert.deepEqual(violations('src/replay/x.ts', "import type { Kafka } from 'kafkajs';"), ['src/replay/x.ts imports kafkajs outside source/']);
  assert.deepEqual(violations('src/core/x.ts', "export { B } from '../service/lifecycle.js';\nconst m = await import('../stack/processes.js');").length, 2);
  assert.deepEqual(violations('src/writing/x.ts', "import { A } from '../core/records.js';\nimport { z } from 'zod';\nimport { C } from './parquet/c.js';"), []);
  assert.deepEqual(violations('src/commit/x.ts', "import type { LakeLayout } from '../lake/lake-layout.js';"), []);
  assert.equal(violations('src/newfolder/x.ts', '').length, 1);
});
