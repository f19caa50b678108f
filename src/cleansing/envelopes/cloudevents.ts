import type { SourceRecord } from '../../core/records.js';
import { describeValue, isPlainObject } from '../describe-value.js';
import { reject } from '../rejection.js';
import { accept, type EnvelopeResult } from './envelope.js';
import { badTime, eventIdFrom, eventTimeFrom, missingId, missingTime } from './event-fields.js';

/**
 * CloudEvents in structured JSON mode. The spec makes `id` unique only per `source`, so the event
 * id joins both. The payload is `data`, which must be a JSON object; binary data is refused.
 */
export function decodeCloudEvent(event: Record<string, unknown>, _record: SourceRecord): EnvelopeResult {
  if (typeof event['specversion'] !== 'string') return reject('bad_envelope', 'a CloudEvent needs a "specversion" string');

  const id = eventIdFrom(event['id']);
  if (id === undefined) return missingId('id');
  const source = event['source'];
  if (typeof source !== 'string' || source.length === 0) return missingId('source');

  const time = event['time'];
  const eventTimeMs = eventTimeFrom(time, false);
  if (eventTimeMs === undefined) return missingTime('time');
  if (Number.isNaN(eventTimeMs)) return badTime('time', time, false);

  const data = event['data'];
  if (!isPlainObject(data)) {
    if (event['data_base64'] !== undefined) return reject('bad_envelope', 'binary CloudEvent data (data_base64) is not supported; send data as a JSON object');
    return reject('bad_envelope', `data is ${describeValue(data)}, not a JSON object`);
  }
  return accept(`${source}/${id}`, eventTimeMs, data);
}
