import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { TukangConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';

/** Routes kafkajs's own log lines into the service's pino logger. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      // kafkajs logs every error *response* at ERROR even when it handles it (retries, rejoins
      // after a session expired, a LeaveGroup after that); for an operator those are warnings.
      const handled = message.startsWith('Response ') || message.includes('re-joining the group');
      const effective = level === logLevel.ERROR && handled ? logLevel.WARN : level;
      switch (effective) {
        case logLevel.ERROR:
          child.error(extra, message);
          break;
        case logLevel.WARN:
          child.warn(extra, message);
          break;
        case logLevel.INFO:
          child.info(extra, message);
          break;
        default:
          child.debug(extra, message);
      }
    };
}

export function createKafka(kafka: TukangConfig['kafka'], logger: Logger, clientIdSuffix = ''): Kafka {
  return new Kafka({
    clientId: `${kafka.client_id}${clientIdSuffix}`,
    brokers: [...kafka.brokers],
    connectionTimeout: kafka.connection_timeout,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 8 },
  });
}
