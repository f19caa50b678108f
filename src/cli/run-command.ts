import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { isTukangError } from '../errors/catalogue.js';
import { createLogger } from '../log/logger.js';
import { stackUp } from '../stack/stack.js';
import { Lifecycle, waitForSignal } from '../service/lifecycle.js';
import { buildService } from '../service/build-service.js';
import { stackOptionsFrom } from './stack-command.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run the service: the materializer for every configured dataset, and the catalog API.')
    .option('-c, --config <file>', 'config file (JSON); defaults point at the local stack', process.env['TUKANG_CONFIG'])
    .option('--local-stack', 'start the local stack first (tukang stack up) and use it')
    .action(async (opts: { config?: string; localStack?: boolean }) => {
      const config = loadConfig(opts.config);
      const logger = createLogger(config.log);
      if (opts.localStack) {
        await stackUp(stackOptionsFrom(config, (message) => logger.info({ component: 'stack' }, message)));
      }
      const lifecycle = new Lifecycle(logger, config.materializer.shutdown_timeout);
      const stopped = waitForSignal().then((signal) => lifecycle.stop(signal));
      try {
        await lifecycle.start(buildService(config, logger));
        logger.info({ datasets: config.datasets.map((d) => d.name) }, 'tukang running; Ctrl-C or SIGTERM stops it');
      } catch (err) {
        if (!isTukangError(err, 'SHUTDOWN_REQUESTED')) {
          await lifecycle.stop('start-up failed');
          throw err;
        }
      }
      await stopped;
      logger.info('stopped');
      logger.flush();
      // Stray client timers (a kafkajs reconnect in flight) must not keep a stopped service alive.
      setImmediate(() => process.exit(process.exitCode ?? 0)).unref();
    });
}
