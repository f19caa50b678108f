import type { CellValue } from './records.js';

/** The JSON text of a structured cell value; bigints (int64 beyond 2^53) become their digits. */
export function jsonText(value: CellValue): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
