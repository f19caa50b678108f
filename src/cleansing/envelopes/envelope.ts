import type { SourceRecord } from '../../core/records.js';
import type { Rejection } from '../rejection.js';

/** What an envelope yields: the event's identity and time, and the object the schema applies to. */
export interface EnvelopeEvent {
  ok: true;
  eventId: string;
  eventTimeMs: number;
  payload: Record<string, unknown>;
}

export type EnvelopeRejection = Rejection<'bad_envelope' | 'missing_event_id' | 'missing_event_time' | 'bad_event_time'>;

export type EnvelopeResult = EnvelopeEvent | EnvelopeRejection;

/** Unwraps one parsed record value. May reuse and modify `event`: the decoder owns it. */
export type EnvelopeDecoder = (event: Record<string, unknown>, record: SourceRecord) => EnvelopeResult;

export interface Envelope {
  decode: EnvelopeDecoder;
  /**
   * Top-level payload keys that belong to the envelope rather than the producer's data: never
   * reported as unknown fields, though a column may read them.
   */
  envelopeKeys: readonly string[];
}

export function accept(eventId: string, eventTimeMs: number, payload: Record<string, unknown>): EnvelopeEvent {
  return { ok: true, eventId, eventTimeMs, payload };
}
