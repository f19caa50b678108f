import type { SourceRecord } from '../../core/records.js';
import { describeValue, isPlainObject } from '../describe-value.js';
import { reject } from '../rejection.js';
import { accept, type EnvelopeResult } from './envelope.js';
import { badTime, eventIdFrom, eventTimeFrom, missingId, missingTime } from './event-fields.js';

const DATA_OPS: ReadonlySet<unknown> = new Set(['C', 'U', 'D', 'S']);

/** `metadata` of a business event, and what a data-change event's payload gets from the envelope. */
export const NAKADI_ENVELOPE_KEYS: readonly string[] = ['metadata', 'data_op', 'data_type'];

/**
 * Nakadi events: `metadata.eid` and `metadata.occurred_at` identify and time every event.
 * A business event's payload is the event itself, `metadata` included but never an unknown
 * field: not copying it away saves an allocation per event, and lets a column read, say,
 * `metadata.flow_id`. A data-change event (with `data_op` and `data_type`) has the changed
 * entity in `data`, and keeps `data_op`/`data_type` next to its fields so a dataset can store
 * them as columns.
 */
export function decodeNakadi(event: Record<string, unknown>, _record: SourceRecord): EnvelopeResult {
  const metadata = event['metadata'];
  if (!isPlainObject(metadata)) return reject('bad_envelope', `a Nakadi event needs a "metadata" object, got ${describeValue(metadata)}`);

  const eventId = eventIdFrom(metadata['eid']);
  if (eventId === undefined) return missingId('metadata.eid');
  const occurredAt = metadata['occurred_at'];
  const eventTimeMs = eventTimeFrom(occurredAt, false);
  if (eventTimeMs === undefined) return missingTime('metadata.occurred_at');
  if (Number.isNaN(eventTimeMs)) return badTime('metadata.occurred_at', occurredAt, false);

  const dataOp = event['data_op'];
  const dataType = event['data_type'];
  if (dataOp === undefined && dataType === undefined) return accept(eventId, eventTimeMs, event);

  if (!DATA_OPS.has(dataOp)) return reject('bad_envelope', `data_op is ${describeValue(dataOp)}, not one of C, U, D, S`);
  if (typeof dataType !== 'string' || dataType.length === 0) return reject('bad_envelope', `data_type is ${describeValue(dataType)}, not a non-empty string`);
  const data = event['data'];
  if (!isPlainObject(data)) return reject('bad_envelope', `data of a data-change event is ${describeValue(data)}, not an object`);
  data['data_op'] = dataOp;
  data['data_type'] = dataType;
  return accept(eventId, eventTimeMs, data);
}
