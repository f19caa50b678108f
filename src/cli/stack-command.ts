import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { TukangConfig } from '../config/schema.js';
import { resolveHome } from '../stack/layout.js';
import { stackDown, stackStatus, stackUp, type StackOptions, type StackStatus } from '../stack/stack.js';

export function stackOptionsFrom(config: TukangConfig, log: (m: string) => void): StackOptions {
  return {
    home: resolveHome(config.stack.home),
    ports: { kafka: config.stack.kafka_port, kafkaController: config.stack.kafka_controller_port, s3: config.stack.s3_port },
    readyTimeoutMs: config.stack.ready_timeout,
    log,
  };
}

const say = (message: string): void => {
  process.stderr.write(`stack: ${message}\n`);
};

export function registerStackCommand(program: Command): void {
  const stack = program.command('stack').description('The local stack: Apache Kafka (KRaft) and LocalStack S3 on 127.0.0.1, without Docker.');

  stack
    .command('up')
    .description('Provision (once) and start Kafka and LocalStack S3; reuses servers that already run.')
    .option('-c, --config <file>', 'config file (ports under "stack")', process.env['TUKANG_CONFIG'])
    .option('--json', 'print the status as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const config = loadConfig(opts.config);
      const status = await stackUp(stackOptionsFrom(config, say));
      printStatus(status, opts.json === true);
    });

  stack
    .command('down')
    .description('Stop the servers this stack started (by their recorded pids). Caches are kept.')
    .option('-c, --config <file>', 'config file', process.env['TUKANG_CONFIG'])
    .option('--purge', 'also delete the Kafka and S3 data (the jar and virtualenv caches stay)')
    .action(async (opts: { config?: string; purge?: boolean }) => {
      const config = loadConfig(opts.config);
      await stackDown({ ...stackOptionsFrom(config, say), purge: opts.purge === true });
    });

  stack
    .command('status')
    .description('Show whether Kafka and S3 are running and healthy; exit 1 when not both are.')
    .option('-c, --config <file>', 'config file', process.env['TUKANG_CONFIG'])
    .option('--json', 'print the status as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const config = loadConfig(opts.config);
      const status = await stackStatus(stackOptionsFrom(config, say));
      printStatus(status, opts.json === true);
      if (status.kafka.state !== 'running' || status.s3.state !== 'running') process.exitCode = 1;
    });
}

function printStatus(status: StackStatus, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  for (const server of [status.kafka, status.s3]) {
    const pid = server.pid === null ? '' : ` pid ${server.pid}`;
    const state = server.state === 'foreign' ? 'running (not started by this stack)' : server.state;
    process.stdout.write(`${server.name.padEnd(6)} ${state.padEnd(10)} ${server.address}${pid}  log: ${server.log}\n`);
  }
  process.stdout.write(`\nKAFKA_BROKERS=${status.brokers}\nS3_ENDPOINT=${status.s3_endpoint}\n`);
}
