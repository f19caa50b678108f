import type { RejectReason } from '../core/records.js';

/** A record that cannot become a row, and why; the decoder passes it on to the dead-letter area. */
export interface Rejection<R extends RejectReason = RejectReason> {
  ok: false;
  reason: R;
  message: string;
}

export function reject<R extends RejectReason>(reason: R, message: string): Rejection<R> {
  return { ok: false, reason, message };
}
