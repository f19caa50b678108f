import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { partitionPathOf } from '../catalog/index/partition-id.js';
import { CommitLog } from '../commit/commit-log.js';
import { resolveSchema } from '../cleansing/schema/resolve-schema.js';
import { IcebergCommitter } from '../iceberg/iceberg-committer.js';
import { loadConfig } from '../config/load.js';
import { TukangError } from '../errors/catalogue.js';
import { createLogger } from '../log/logger.js';
import { planFor, runReplay, type ReplayDeps } from '../replay/replay-runner.js';
import { kafkaBus } from '../replay/replay-bus.js';
import { ReplayStore } from '../replay/replay-store.js';
import { partitionsStartingBetween } from '../replay/replay-selection.js';
import type { ReplayJob } from '../replay/replay-types.js';
import { createKafka } from '../source/kafka-client.js';
import { createS3Client, S3ObjectStore } from '../storage/s3-object-store.js';
import { LakeLayout } from '../lake/lake-layout.js';
import { ParquetEncoderPool } from '../writing/parquet/encoder-pool.js';

interface Options {
  config?: string;
  partition?: string[];
  from?: string;
  to?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('Rebuild complete partitions of a dataset from the bus with the current config, and switch them to a new version atomically.')
    .argument('<dataset>', 'dataset name')
    .option('-c, --config <file>', 'config file', process.env['TUKANG_CONFIG'])
    .option('-p, --partition <id...>', 'partition ids, e.g. 2026-11-21T10 (hour) or 2026-11-21 (day)')
    .option('--from <time>', 'replay every partition starting at or after this time (RFC 3339)')
    .option('--to <time>', 'and before this time (RFC 3339)')
    .option('--dry-run', 'show the plan (ranges, records, files to replace) without writing')
    .option('--json', 'print the plan or the finished job as JSON')
    .action(async (datasetName: string, opts: Options) => {
      const config = loadConfig(opts.config);
      const dataset = config.datasets.find((d) => d.name === datasetName);
      if (!dataset) throw new TukangError('DATASET_UNKNOWN', `no dataset named "${datasetName}" in the config (${config.datasets.map((d) => d.name).join(', ') || 'none configured'})`);
      const logger = createLogger({ ...config.log, level: opts.json ? 'warn' : config.log.level });
      const store = new S3ObjectStore(createS3Client(config.s3), config.s3.bucket);
      const layout = new LakeLayout(config.s3.prefix);
      // The replay's switch reaches the Iceberg table before the command ends.
      const iceberg = config.iceberg.enabled ? new IcebergCommitter({ config, datasets: [{ dataset, schema: resolveSchema(dataset) }], store, layout, logger }) : undefined;
      const commitLog = new CommitLog(store, layout, config.s3.bucket, iceberg);
      const paths = await selectPartitions(opts, store, layout, dataset.name);
      const encoder = new ParquetEncoderPool(config.materializer.encode_workers);
      let cancelled = false;
      const onSignal = (): void => {
        cancelled = true;
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const bar = process.stderr.isTTY && !opts.json ? new cliProgress.SingleBar({ format: 'replay [{bar}] {percentage}% | {value}/{total} records | {files} files', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
      const deps: ReplayDeps = {
        dataset,
        bus: kafkaBus(createKafka(config.kafka, logger)),
        store,
        commitLog,
        layout,
        replays: new ReplayStore(store, layout),
        encoder,
        logger,
        cancelled: () => cancelled,
        onProgress: (job) => bar?.update(job.records_read, { files: job.files_written }),
      };
      try {
        if (opts.dryRun) {
          const plan = await planFor(deps, paths);
          print(opts.json === true, plan, () =>
            [
              `replay plan for ${dataset.name} (${plan.records_total} records to read again):`,
              ...plan.partitions.map((p) => `  ${p.partition_path}: version ${p.version}, ${p.files} files and ${p.rows} rows to replace`),
              ...plan.ranges.map((r) => `  read ${dataset.topic} partition ${r.partition}, offsets ${r.first}-${r.last}`),
            ].join('\n'),
          );
          return;
        }
        const started = Date.now();
        bar?.start(1, 0, { files: 0 });
        const job = await runReplay({ ...deps, onProgress: (j) => { bar?.setTotal(Math.max(1, j.records_total)); deps.onProgress?.(j); } }, paths);
        bar?.stop();
        await iceberg?.flush();
        print(opts.json === true, job, () => summary(job, Date.now() - started));
        if (job.status !== 'succeeded') process.exitCode = 1;
      } finally {
        bar?.stop();
        await encoder.close();
      }
    });
}

async function selectPartitions(opts: Options, store: S3ObjectStore, layout: LakeLayout, dataset: string): Promise<string[]> {
  if (opts.partition && (opts.from || opts.to)) throw new TukangError('USAGE_INVALID', 'give either --partition or --from/--to, not both');
  if (opts.partition) {
    return opts.partition.map((id) => {
      const path = partitionPathOf(id);
      if (!path) throw new TukangError('USAGE_INVALID', `--partition: "${id}" is not a partition id (like 2026-11-21T10 or 2026-11-21)`);
      return path;
    });
  }
  if (!opts.from || !opts.to) throw new TukangError('USAGE_INVALID', 'give --partition ID..., or both --from and --to');
  const from = Date.parse(opts.from);
  const to = Date.parse(opts.to);
  if (Number.isNaN(from)) throw new TukangError('USAGE_INVALID', `--from: "${opts.from}" is not an RFC 3339 time`);
  if (Number.isNaN(to) || to <= from) throw new TukangError('USAGE_INVALID', `--to: "${opts.to}" is not an RFC 3339 time after --from`);
  const paths = await partitionsStartingBetween(store, layout, dataset, from, to);
  if (paths.length === 0) throw new TukangError('REPLAY_REFUSED', `dataset ${dataset} has no partitions between ${opts.from} and ${opts.to}`);
  return paths;
}

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
}

function summary(job: ReplayJob, ms: number): string {
  const lines = [
    `replay ${job.id} ${job.status} in ${(ms / 1000).toFixed(1)} s`,
    `  records read ${job.records_read} of ${job.records_total}, rows written ${job.rows_written} in ${job.files_written} files, duplicates ${job.duplicates}, rejects ${job.rejected}`,
    ...job.versions.map((v) => `  ${v.partition_path}: version ${v.from_version} -> ${v.to_version ?? 'unchanged'}`),
  ];
  if (job.error) lines.push(`  error: ${job.error}`);
  return lines.join('\n');
}
