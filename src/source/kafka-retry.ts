import { TukangError } from '../errors/catalogue.js';

/**
 * Whether a failed Kafka call is worth repeating: a TukangError by its code's flag, a kafkajs
 * error by its own `retriable` flag (a KafkaJSNonRetriableError, an authorization failure, ...);
 * anything else (a socket error, a bug) gets `unknownIsRetryable`.
 */
export function isRetryableKafkaError(err: unknown, unknownIsRetryable = true): boolean {
  if (err instanceof TukangError) return err.retryable;
  if (typeof err === 'object' && err !== null && 'retriable' in err && typeof err.retriable === 'boolean') return err.retriable;
  return unknownIsRetryable;
}
