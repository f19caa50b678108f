import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LakeLayout } from '../../../src/lake/lake-layout.js';
import { ROOT } from '../../helpers/cli.js';

// Regression (issue 11, item 8): the README and docs/architecture.md showed a data-file name
// without the last offset and the checksum prefix. Both are checked against LakeLayout.dataFile.
const layout = new LakeLayout('');
const fileName = (topic: string, partition: number, first: number, last: number, sha: string): string =>
  layout.dataFile('orders', 'event_date=2026-11-21/event_hour=10', topic, partition, first, last, sha, '.zstd.parquet').split('/').at(-1) ?? '';

test("the README's example data-file name is one LakeLayout writes", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const shown = /part-[^\s/]+\.zstd\.parquet/.exec(readme)?.[0];
  assert.ok(shown, 'the README shows a data-file name');
  const m = /^part-(.+)-(\d{5})-(\d{20})-(\d{20})-([0-9a-f]{8})\.zstd\.parquet$/.exec(shown);
  assert.ok(m, `${shown} does not have the shape of a data-file name`);
  const [, topic, partition, first, last, sha] = m;
  assert.equal(fileName(topic!, Number(partition), Number(first), Number(last), `${sha}${'0'.repeat(56)}`), shown);
});

test("docs/architecture.md's data-file pattern, filled in, is what LakeLayout writes", () => {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const pattern = /part-<topic>-.+?\.zstd\.parquet/.exec(doc)?.[0];
  assert.ok(pattern, 'the lake layout shows the data-file pattern');
  const filled = pattern
    .replace('<topic>', 'orders.v1')
    .replace('<partition:5>', '00003')
    .replace('<first offset:20>', '00000000000000000100')
    .replace('<last offset:20>', '00000000000000000199')
    .replace('<sha256:8>', 'abcdef01');
  assert.equal(filled, fileName('orders.v1', 3, 100, 199, `abcdef01${'0'.repeat(56)}`));
});
