/**
 * Micro-benchmark of the Parquet encoding stage: rows → RowBatch → Arrow IPC → Parquet (ZSTD).
 * Not part of the tests. Run: npx tsc -p tsconfig.json && node dist/bench/encode.js [rows]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CellValue } from '../src/core/records.js';
import type { ResolvedColumn } from '../src/core/resolved-schema.js';
import { rowBatchToIPC } from '../src/writing/parquet/arrow-columns.js';
import { ParquetEncoderPool } from '../src/writing/parquet/encoder-pool.js';
import { RowBatchBuilder } from '../src/buffering/row-batch.js';

const ROWS = Number(process.argv[2] ?? 200_000);
const RUNS = 3;

function col(name: string, type: ResolvedColumn['type'], nullable = true): ResolvedColumn {
  return { name, type, nullable, description: '', path: [name] };
}

const COLUMNS: ResolvedColumn[] = [
  col('order_id', 'string', false),
  col('status', 'string'),
  col('country', 'string'),
  col('currency', 'string'),
  col('channel', 'string'),
  col('created_at', 'timestamp'),
  col('updated_at', 'timestamp'),
  col('qty', 'int32'),
  col('customer_id', 'int64'),
  col('amount', 'float64'),
  col('coupon', 'string'),
  col('payload', 'string'),
  col('is_gift', 'boolean'),
  col('ship_date', 'date'),
];

const STATUSES = ['created', 'paid', 'shipped', 'delivered', 'cancelled'];
const COUNTRIES = ['ID', 'MY', 'SG', 'TH', 'VN', 'PH'];
const CURRENCIES = ['IDR', 'MYR', 'SGD', 'THB'];
const CHANNELS = ['web', 'ios', 'android'];
const PAYLOAD = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. '.repeat(2).slice(0, 200);

function pick<T>(items: readonly T[], i: number): T {
  return items[i % items.length] as T;
}

function makeRows(n: number): CellValue[][] {
  const base = 1_700_000_000_000;
  return Array.from({ length: n }, (_, i) => [
    randomUUID(),
    pick(STATUSES, i),
    pick(COUNTRIES, i * 7),
    pick(CURRENCIES, i * 3),
    pick(CHANNELS, i * 5),
    base + i * 13,
    base + i * 13 + 60_000,
    (i % 9) + 1,
    1_000_000 + (i % 50_000),
    Math.round(Math.random() * 1e6) / 100,
    i % 4 === 0 ? `COUPON-${i % 100}` : null,
    `${i}:${PAYLOAD}`,
    i % 10 === 0,
    19_700 + (i % 30),
  ]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const rows = makeRows(ROWS);
  const ids = rows.map(() => randomUUID());
  const pool = new ParquetEncoderPool(1);
  const fill: number[] = [];
  const build: number[] = [];
  const encode: number[] = [];
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const builder = new RowBatchBuilder(COLUMNS, 'shop.orders', ROWS);
    for (let r = 0; r < ROWS; r++) builder.add(rows[r] as CellValue[], ids[r] as string, 1_700_000_000_000 + r, r % 12, 5_000_000 + r, 1_700_000_100_000 + r);
    const batch = builder.build();
    const t1 = performance.now();
    const ipc = rowBatchToIPC(batch);
    const t2 = performance.now();
    const file = await pool.encodeIPC(ipc, ROWS, { compression: 'zstd', rowGroupRows: 100_000 });
    const t3 = performance.now();
    fill.push(t1 - t0);
    build.push(t2 - t1);
    encode.push(t3 - t2);
    bytes = file.bytes.byteLength;
  }
  await pool.close();
  const rate = (ms: number): string => Math.round(ROWS / (ms / 1000)).toLocaleString('en-US');
  const line = (step: string, ms: number): string => `| ${step.padEnd(34)} | ${ms.toFixed(0).padStart(8)} | ${rate(ms).padStart(12)} |`;
  const f = median(fill);
  const b = median(build);
  const e = median(encode);
  console.log(`${ROWS.toLocaleString('en-US')} rows, ${COLUMNS.length} data + 6 lineage columns, ZSTD, medians of ${RUNS} runs, ${(bytes / 1024 / 1024).toFixed(1)} MiB per file`);
  console.log(`| ${'step'.padEnd(34)} | ${'ms'.padStart(8)} | ${'rows/s'.padStart(12)} |`);
  console.log(`|${'-'.repeat(36)}|${'-'.repeat(10)}|${'-'.repeat(14)}|`);
  console.log(line('RowBatchBuilder.add (row by row)', f));
  console.log(line('Arrow columns + IPC (main thread)', b));
  console.log(line('parquet-wasm encode (worker)', e));
  console.log(line('build (fill + Arrow + IPC)', f + b));
  console.log(line('build + encode, one core', f + b + e));
}

await main();
