import type { Command } from 'commander';
import { TukangError } from '../errors/catalogue.js';
import { Partitioners } from 'kafkajs';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log/logger.js';
import { createKafka } from '../source/kafka-client.js';
import { sampleOrderEvents } from '../sample/order-events.js';

interface Options {
  config?: string;
  topic: string;
  count: string;
  partitions: string;
  duplicates: string;
  bad: string;
  start?: string;
}

export function registerProduceSampleCommand(program: Command): void {
  program
    .command('produce-sample')
    .description('Produce sample Nakadi-style order events (with some duplicates, disorder and bad records) for the example dataset.')
    .option('-c, --config <file>', 'config file (for kafka.brokers)', process.env['TUKANG_CONFIG'])
    .option('--topic <name>', 'topic to produce to (created when missing)', 'sample.orders')
    .option('-n, --count <n>', 'number of events', '10000')
    .option('--partitions <n>', 'partitions of a newly created topic', '4')
    .option('--duplicates <rate>', 'share of events sent twice', '0.01')
    .option('--bad <rate>', 'share of malformed records', '0.005')
    .option('--start <time>', 'event time of the first event (RFC 3339); default: 3 hours ago')
    .action(async (opts: Options) => {
      const config = loadConfig(opts.config);
      const logger = createLogger(config.log);
      const count = positiveInt(opts.count, '--count');
      const partitions = positiveInt(opts.partitions, '--partitions');
      const startMs = opts.start === undefined ? Date.now() - 3 * 3_600_000 : Date.parse(opts.start);
      if (Number.isNaN(startMs)) throw new TukangError('USAGE_INVALID', `--start: "${opts.start}" is not an RFC 3339 time`);
      const kafka = createKafka(config.kafka, logger);
      const admin = kafka.admin();
      await admin.connect();
      const existing = await admin.listTopics();
      if (!existing.includes(opts.topic)) {
        await admin.createTopics({ topics: [{ topic: opts.topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
      }
      await admin.disconnect();
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      // Spread over 3 hours of event time, so that the first hours complete while events arrive.
      const stepMs = Math.max(1, Math.floor((3 * 3_600_000) / count));
      let batch: Array<{ key: string; value: string }> = [];
      let sent = 0;
      for (const record of sampleOrderEvents({ count, startMs, stepMs, duplicateRate: Number(opts.duplicates), badRate: Number(opts.bad), seed: Date.now() % 1_000_000 })) {
        batch.push({ key: record.key, value: record.value });
        if (batch.length === 1000) {
          await producer.send({ topic: opts.topic, messages: batch });
          sent += batch.length;
          batch = [];
        }
      }
      if (batch.length > 0) await producer.send({ topic: opts.topic, messages: batch });
      sent += batch.length;
      await producer.disconnect();
      logger.info({ topic: opts.topic, records: sent }, 'sample events produced');
    });
}

function positiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new TukangError('USAGE_INVALID', `${option}: "${text}" is not a positive whole number`);
  return n;
}
