import { describeValue } from '../describe-value.js';
import { reject } from '../rejection.js';
import { parseRfc3339 } from '../time/parse-rfc3339.js';
import type { EnvelopeRejection } from './envelope.js';

/** An event id as text: a non-empty string, or a number as producers sometimes send; else undefined. */
export function eventIdFrom(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * An event time in epoch milliseconds: an RFC 3339 string, or (when `epochMillis`) a whole
 * number of milliseconds. Undefined when absent (undefined or null), NaN when present but unusable.
 */
export function eventTimeFrom(value: unknown, epochMillis: boolean): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return parseRfc3339(value);
  if (epochMillis && typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return Number.NaN;
}

export function missingId(field: string): EnvelopeRejection {
  return reject('missing_event_id', `${field} is missing or not a non-empty string`);
}

export function missingTime(field: string): EnvelopeRejection {
  return reject('missing_event_time', `${field} is missing`);
}

export function badTime(field: string, value: unknown, epochMillis: boolean): EnvelopeRejection {
  const expected = epochMillis ? 'an RFC 3339 date-time with an offset, or epoch milliseconds' : 'an RFC 3339 date-time with an offset';
  return reject('bad_event_time', `${field} is ${describeValue(value)}, not ${expected}`);
}
