import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { testFiles } from '../../../scripts/test-files.js';

// Regression (issue 11.7): `npm test` passed folders to `node --test`, which Node 22 and 24 read as
// glob patterns matching nothing, so the run failed before any test. The runner now lists the files.
test('the listed test files run under the running Node version', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tukang-test-files-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'tier', 'nested'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  const body = "import { test } from 'node:test';\ntest('ok', () => {});\n";
  writeFileSync(join(root, 'tier', 'a.test.js'), body);
  writeFileSync(join(root, 'tier', 'nested', 'b.test.js'), body);
  writeFileSync(join(root, 'tier', 'nested', 'helper.js'), 'export const x = 1;\n');

  const files = testFiles(root, 'tier');
  assert.deepEqual(files, [join('tier', 'a.test.js'), join('tier', 'nested', 'b.test.js')]);

  // Without the parent runner's context variable the child reports in TAP, as `npm test` sees it.
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', ...files], { cwd: root, encoding: 'utf8', env });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /# pass 2/);
});
