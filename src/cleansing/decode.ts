import type { DatasetConfig } from '../config/schema.js';
import type { DecodeResult, SourceRecord } from '../core/records.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import { describeError } from '../errors/catalogue.js';
import { describeValue, isPlainObject } from './describe-value.js';
import { envelopeFor } from './envelopes/envelope-for.js';
import { reject } from './rejection.js';
import { compileValidator } from './validate.js';

/** Epoch milliseconds now; injectable so tests and replays judge event-time bounds the same way. */
export type Clock = () => number;

export type RecordDecoder = (record: SourceRecord) => DecodeResult;

/**
 * Builds the decoder of one dataset: raw Kafka record in, a clean event or a rejection out.
 * Checks run cheapest first (size before UTF-8, UTF-8 before JSON) so a flood of bad records
 * costs little. Everything that depends only on config is prepared here, once.
 */
export function createDecoder(dataset: DatasetConfig, schema: ResolvedSchema, clock: Clock = Date.now): RecordDecoder {
  const { max_record_bytes: maxBytes, max_past: maxPast, max_future: maxFuture } = dataset.limits;
  const envelope = envelopeFor(dataset);
  const validate = compileValidator(schema, dataset.schema.unknown_fields, envelope.envelopeKeys);
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  return (record) => {
    const value = record.value;
    if (value === null || value.length === 0) return reject('empty_record', 'the record has no value (a tombstone or an empty message)');
    if (value.length > maxBytes) return reject('too_large', `the value has ${value.length} bytes, more than limits.max_record_bytes (${maxBytes})`);

    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      return reject('not_utf8', 'the value is not valid UTF-8');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return reject('bad_json', `the value is not JSON: ${describeError(err)}`);
    }
    if (!isPlainObject(parsed)) return reject('bad_json', `the value is JSON ${describeValue(parsed)}, not an object`);

    const unwrapped = envelope.decode(parsed, record);
    if (!unwrapped.ok) return unwrapped;

    const { eventId, eventTimeMs, payload } = unwrapped;
    const now = clock();
    if (eventTimeMs < now - maxPast || eventTimeMs > now + maxFuture) {
      return reject(
        'event_time_out_of_bounds',
        `event time ${isoTime(eventTimeMs)} is more than limits.${eventTimeMs < now ? `max_past (${maxPast} ms) before` : `max_future (${maxFuture} ms) after`} the time it was received (${isoTime(now)})`,
      );
    }

    const validated = validate(payload);
    if (!validated.ok) return validated;
    return { ok: true, event: { eventId, eventTimeMs, values: validated.values, partitionValues: validated.partitionValues } };
  };
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}
