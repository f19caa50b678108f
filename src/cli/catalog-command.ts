import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { isTukangError } from '../errors/catalogue.js';
import { createLogger } from '../log/logger.js';
import { buildCatalogService } from '../service/build-service.js';
import { Lifecycle, waitForSignal } from '../service/lifecycle.js';

export function registerCatalogCommand(program: Command): void {
  program
    .command('catalog')
    .description('Serve only the catalog API over the lake (no materializer): for read replicas.')
    .option('-c, --config <file>', 'config file (JSON); defaults point at the local stack', process.env['TUKANG_CONFIG'])
    .action(async (opts: { config?: string }) => {
      const config = loadConfig(opts.config);
      const logger = createLogger(config.log);
      const lifecycle = new Lifecycle(logger, config.materializer.shutdown_timeout);
      const stopped = waitForSignal().then((signal) => lifecycle.stop(signal));
      try {
        await lifecycle.start(buildCatalogService(config, logger));
        logger.info({ datasets: config.datasets.map((d) => d.name) }, 'tukang catalog running; Ctrl-C or SIGTERM stops it');
      } catch (err) {
        if (!isTukangError(err, 'SHUTDOWN_REQUESTED')) {
          await lifecycle.stop('start-up failed');
          throw err;
        }
      }
      await stopped;
      logger.info('stopped');
      logger.flush();
      // Stray client timers (a kafkajs admin reconnect) must not keep a stopped service alive.
      setImmediate(() => process.exit(process.exitCode ?? 0)).unref();
    });
}
