import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../helpers/cli.js';

/** Test folders that have no src/ folder of the same name: the build scripts and these checks. */
const OUTSIDE_SRC = new Set(['scripts', 'architecture']);

test('test/unit mirrors src/: every unit test sits in the folder of the src/ folder it tests', () => {
  const srcFolders = new Set(readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name));
  const entries = readdirSync(join(ROOT, 'test/unit'), { withFileTypes: true });
  assert.deepEqual(entries.filter((e) => e.isFile()).map((e) => e.name), [], 'no loose files in test/unit');
  const stray = entries.filter((e) => e.isDirectory() && !srcFolders.has(e.name) && !OUTSIDE_SRC.has(e.name)).map((e) => e.name);
  assert.deepEqual(stray, [], 'every test/unit folder names a src/ folder');
});
