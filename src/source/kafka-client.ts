import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { TukangConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';

/**
 * The client handle the rest of the service passes around. Only `source/` calls its methods, so
 * kafkajs types stay inside this folder (an architecture test checks it).
 */
export type KafkaClient = Kafka;

/**
 * The level at which one of kafkajs's log lines reaches the operator.
 *
 * kafkajs logs at ERROR many conditions that it handles itself: every error *response* (it
 * retries, or rejoins after a session expired), and every socket error (`Connection error: …`,
 * for example a write racing a socket the broker or a rebalance just closed), after which it
 * reconnects and retries the request. For an operator those are warnings; when kafkajs gives up,
 * the error reaches Tukang's own code, which logs it as an error with its code.
 */
export function operatorLevel(level: logLevel, message: string): logLevel {
  if (level !== logLevel.ERROR) return level;
  const handled =
    message.startsWith('Response ') ||
    message.includes('re-joining the group') ||
    message.startsWith('Connection error:') ||
    message.startsWith('Connection timeout');
  return handled ? logLevel.WARN : level;
}

/** Routes kafkajs's own log lines into the service's pino logger. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      switch (operatorLevel(level, message)) {
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

/**
 * A kafkajs client from the config. `retries` bounds how long one call keeps trying (8: about a
 * minute when the brokers are down); probes that answer a health check or a read use few, and
 * try again on the next probe instead.
 */
export function createKafka(kafka: TukangConfig['kafka'], logger: Logger, clientIdSuffix = '', retries = 8): KafkaClient {
  return new Kafka({
    clientId: `${kafka.client_id}${clientIdSuffix}`,
    brokers: [...kafka.brokers],
    connectionTimeout: kafka.connection_timeout,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries },
  });
}
