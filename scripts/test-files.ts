import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every `*.test.js` under `folder` (relative to `root`), as sorted paths relative to `root`.
 * Node's test runner gets files, never folders: Node 22 and later read its arguments as globs.
 */
export function testFiles(root: string, folder: string): string[] {
  const dir = join(root, folder);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => relative(root, join(dir, f)))
    .sort();
}
