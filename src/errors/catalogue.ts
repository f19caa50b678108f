/**
 * The one catalogue of Tukang's errors. Every error the service raises on purpose has a stable
 * code from this table, a retryable flag, and optionally the underlying cause. The codes are
 * documented in docs/errors.md; a unit test keeps the two in sync.
 */
export interface ErrorSpec {
  /** Whether trying the same operation again can succeed; retry loops give up at once when false. */
  retryable: boolean;
  /** The HTTP status the catalog answers with when this error reaches an API request. */
  status: number;
  summary: string;
}

export const ERRORS = {
  CONFIG_INVALID: { retryable: false, status: 500, summary: 'The configuration file or an environment override is invalid.' },
  USAGE_INVALID: { retryable: false, status: 500, summary: 'A command-line argument is invalid.' },
  CONFIG_UNREADABLE: { retryable: false, status: 500, summary: 'The configuration file cannot be read or is not JSON.' },
  STACK_TOOL_MISSING: { retryable: false, status: 500, summary: 'A program the local stack needs (java, mvn, python3) is not installed.' },
  STACK_PORT_TAKEN: { retryable: false, status: 500, summary: 'A port the local stack needs is used by another process.' },
  STACK_PROVISION_FAILED: { retryable: true, status: 500, summary: 'Resolving Kafka jars or installing LocalStack failed.' },
  STACK_START_FAILED: { retryable: true, status: 500, summary: 'A local stack server did not become ready in time.' },
  KAFKA_UNAVAILABLE: { retryable: true, status: 503, summary: 'The Kafka cluster cannot be reached.' },
  S3_UNAVAILABLE: { retryable: true, status: 503, summary: 'The S3 endpoint cannot be reached or answered with a server error.' },
  S3_PRECONDITION_FAILED: { retryable: false, status: 500, summary: 'A conditional S3 write lost a race (If-None-Match or If-Match).' },
  S3_BUCKET_MISSING: { retryable: false, status: 503, summary: 'The configured lake bucket does not exist.' },
  DATASET_UNKNOWN: { retryable: false, status: 422, summary: 'No dataset with that name is configured.' },
  ENCODE_FAILED: { retryable: false, status: 500, summary: 'Encoding a buffer to Parquet failed.' },
  ROW_WORKER_LOST: { retryable: true, status: 500, summary: 'A row worker thread died with the values of the rows it buffered; the process stops so that Kafka delivers them again.' },
  COMMIT_CONFLICT: { retryable: true, status: 500, summary: 'Concurrent writers updated the same partition metadata; the commit is retried.' },
  COMMIT_OVERLAP: { retryable: true, status: 500, summary: 'Another writer of the same source partition already committed some of these offsets; the flush starts over without them.' },
  COMMIT_RECHECK: { retryable: true, status: 500, summary: 'Files were committed to the partition after this flush checked it for duplicate events; the new files are checked and the commit is tried again.' },
  REPLAY_REFUSED: { retryable: false, status: 422, summary: 'A replay was asked for something that cannot be replayed (no such partition, nothing to read).' },
  REPLAY_PARTITION_OPEN: { retryable: true, status: 409, summary: 'The partition is still open (live ingestion writes it); replay it once it is complete.' },
  REPLAY_OFFSETS_GONE: { retryable: false, status: 422, summary: "Kafka's retention dropped some of the offsets a replay needs; the message names them." },
  REPLAY_CONFLICT: { retryable: true, status: 409, summary: 'Another replay of the same partition is running, or the partition changed while the replay ran.' },
  REPLAY_NOT_CANCELLABLE: { retryable: false, status: 409, summary: 'The replay job has finished, or another instance runs it (HTTP 409).' },
  COMPACTION_MISMATCH: { retryable: true, status: 500, summary: 'A compaction wrote files whose rows differ from its inputs (count, event ids or checksum); the old version stays.' },
  OBJECT_MISSING: { retryable: false, status: 500, summary: 'An object Tukang expected in the lake is not there (removed outside Tukang, or a bug).' },
  METADATA_CORRUPT: { retryable: false, status: 500, summary: 'A metadata object in S3 is not what Tukang wrote (bad JSON or wrong shape).' },
  CATALOG_LISTEN_FAILED: { retryable: false, status: 500, summary: 'The catalog cannot listen on its configured host and port.' },
  CATALOG_DEFINITION_INVALID: { retryable: false, status: 500, summary: 'The OpenAPI document or the web assets the catalog is built from do not fit its code (a packaging bug).' },
  CATALOG_BAD_REQUEST: { retryable: false, status: 400, summary: 'A catalog request has an invalid parameter (HTTP 400); the problem names it.' },
  CATALOG_UNAUTHORIZED: { retryable: false, status: 401, summary: 'A catalog request has no bearer token, or one that does not verify (HTTP 401).' },
  CATALOG_FORBIDDEN: { retryable: false, status: 403, summary: 'The bearer token lacks the scope the endpoint needs (HTTP 403).' },
  CATALOG_NOT_FOUND: { retryable: false, status: 404, summary: 'No catalog resource at that path, or an unknown dataset or partition (HTTP 404).' },
  CATALOG_METHOD_NOT_ALLOWED: { retryable: false, status: 405, summary: 'The path exists but not with that HTTP method (HTTP 405, with Allow).' },
  CATALOG_BODY_UNREADABLE: { retryable: false, status: 400, summary: 'A request body is too large (HTTP 413), in an unsupported encoding (HTTP 415), or not JSON (HTTP 400).' },
  MANIFEST_UNAVAILABLE: { retryable: true, status: 409, summary: 'The partition has no complete version yet, so no manifest (HTTP 409).' },
  AUTH_PROVIDER_UNAVAILABLE: { retryable: true, status: 503, summary: 'The JWKS of the configured token issuer cannot be fetched (HTTP 503).' },
  SHUTDOWN_REQUESTED: { retryable: false, status: 503, summary: 'A signal arrived while the service was still starting; start-up was abandoned.' },
  SHUTDOWN_TIMEOUT: { retryable: false, status: 500, summary: 'Graceful shutdown did not finish within the configured timeout.' },
  INTERNAL: { retryable: false, status: 500, summary: 'An unexpected internal error; a bug.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class TukangError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** The HTTP status of the code (see ERRORS); the catalog's problem responses use it. */
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TukangError';
    this.code = code;
    this.retryable = ERRORS[code].retryable;
    this.status = ERRORS[code].status;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export function isTukangError(err: unknown, code?: ErrorCode): err is TukangError {
  return err instanceof TukangError && (code === undefined || err.code === code);
}

/**
 * Whether an operation that failed with `err` is worth trying again: a TukangError says so with
 * its code's flag; anything else (a network error from a client library, a bug) is unknown, and
 * `unknownIsRetryable` decides. Retry loops ask this instead of retrying everything.
 */
export function isRetryable(err: unknown, unknownIsRetryable = true): boolean {
  return err instanceof TukangError ? err.retryable : unknownIsRetryable;
}

/** A message for any thrown value, without a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
