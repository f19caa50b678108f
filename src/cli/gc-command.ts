import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { TukangError } from '../errors/catalogue.js';
import { collectGarbage } from '../replay/garbage-collector.js';
import { createS3Client, S3ObjectStore } from '../storage/s3-object-store.js';
import { LakeLayout } from '../lake/lake-layout.js';

interface Options {
  config?: string;
  dataset?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerGcCommand(program: Command): void {
  program
    .command('gc')
    .description('Delete data files of superseded partition versions once replay.retention has passed since they were superseded. Never deletes a file of a current version.')
    .option('-c, --config <file>', 'config file', process.env['TUKANG_CONFIG'])
    .option('--dataset <name>', 'only this dataset (default: every configured dataset)')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .option('--json', 'print the result as JSON')
    .action(async (opts: Options) => {
      const config = loadConfig(opts.config);
      const names = config.datasets.map((d) => d.name);
      if (opts.dataset !== undefined && !names.includes(opts.dataset)) {
        throw new TukangError('DATASET_UNKNOWN', `no dataset named "${opts.dataset}" in the config (${names.join(', ') || 'none configured'})`);
      }
      const store = new S3ObjectStore(createS3Client(config.s3), config.s3.bucket);
      const dryRun = opts.dryRun === true;
      const plan = await collectGarbage(store, new LakeLayout(config.s3.prefix), {
        bucket: config.s3.bucket,
        datasets: opts.dataset === undefined ? names : [opts.dataset],
        retentionMs: config.replay.retention,
        dryRun,
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ dry_run: dryRun, deleted: dryRun ? [] : plan.delete, would_delete: dryRun ? plan.delete : [], retained: plan.retained, orphans: plan.orphans ?? [] }, null, 2)}\n`);
        return;
      }
      const verb = dryRun ? 'would delete' : 'deleted';
      const bytes = plan.delete.reduce((n, f) => n + f.bytes, 0);
      const lines = [`${verb} ${plan.delete.length} files (${bytes} bytes) of superseded versions; ${plan.retained.length} superseded files kept within replay.retention`];
      for (const f of plan.delete) lines.push(`  ${verb}: ${f.key} (last in version ${f.last_version}, superseded at ${f.superseded_at})`);
      const orphans = plan.orphans ?? [];
      lines.push(`${verb} ${orphans.length} staged or superseded files outside every version, written more than replay.retention ago`);
      for (const o of orphans) lines.push(`  ${verb}: ${o.key} (written at ${o.written_at})`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
