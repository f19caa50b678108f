import type { SourceRecord } from '../../core/records.js';
import type { EnvelopeConfig } from '../../config/schema.js';
import { TukangError } from '../../errors/catalogue.js';
import { compilePathReader, splitDottedPath } from '../payload-path.js';
import { accept, type Envelope, type EnvelopeResult } from './envelope.js';
import { badTime, eventIdFrom, eventTimeFrom, missingId, missingTime } from './event-fields.js';

type JsonEnvelopeConfig = Extract<EnvelopeConfig, { type: 'json' }>;

/**
 * Plain JSON events whose id and time sit at configured dotted paths. The whole object is the
 * payload. Time is an RFC 3339 string or epoch milliseconds; without a time path, or when the
 * path is missing in an event and `time_fallback` says so, the Kafka record timestamp stands in.
 */
export function createJsonEnvelope(dataset: string, config: JsonEnvelopeConfig): Envelope {
  const idPath = pathOf(dataset, 'id_path', config.id_path);
  const timePath = config.time_path === null ? null : pathOf(dataset, 'time_path', config.time_path);
  const readId = compilePathReader(idPath);
  const readTime = timePath === null ? null : compilePathReader(timePath);
  const fallBack = config.time_fallback === 'kafka_timestamp';
  const idField = config.id_path;
  const timeField = config.time_path ?? '';

  const decode = (event: Record<string, unknown>, record: SourceRecord): EnvelopeResult => {
    const eventId = eventIdFrom(readId(event));
    if (eventId === undefined) return missingId(idField);
    if (readTime === null) return accept(eventId, record.timestampMs, event);
    const raw = readTime(event);
    const eventTimeMs = eventTimeFrom(raw, true);
    if (eventTimeMs === undefined) return fallBack ? accept(eventId, record.timestampMs, event) : missingTime(timeField);
    if (Number.isNaN(eventTimeMs)) return badTime(timeField, raw, true);
    return accept(eventId, eventTimeMs, event);
  };

  // Only a top-level id or time field is wholly the envelope's; a nested one shares its parent
  // object with other fields that the schema should still account for.
  const envelopeKeys = [idPath, timePath].flatMap((path) => (path !== null && path.length === 1 ? path : []));
  return { decode, envelopeKeys };
}

function pathOf(dataset: string, key: string, dotted: string): string[] {
  const path = splitDottedPath(dotted);
  if (!path) throw new TukangError('CONFIG_INVALID', `dataset "${dataset}": envelope.${key} "${dotted}" has an empty segment`);
  return path;
}
