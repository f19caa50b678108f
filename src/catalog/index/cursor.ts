/**
 * Opaque cursors: base64url JSON, so their content can change without breaking clients that
 * treat them as opaque (as the API documents).
 */
export interface TimeCursor {
  k: 't';
  /** Start (epoch ms) and path of the last partition returned. */
  s: number;
  p: string;
}

export interface ChangeCursor {
  k: 'c';
  /** The last change-log key name examined (without the prefix). */
  c: string;
}

export interface DeadLetterCursor {
  k: 'd';
  /** Object key name (without the prefix) and the line to continue at. */
  o: string;
  l: number;
}

export interface ReplayCursor {
  k: 'r';
  /** created_at and id of the last job returned (jobs are listed newest first). */
  c: string;
  i: string;
}

export type Cursor = TimeCursor | ChangeCursor | DeadLetterCursor | ReplayCursor;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor<K extends Cursor['k']>(text: string, kind: K): Extract<Cursor, { k: K }> | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (value['k'] !== kind) return undefined;
    if (kind === 't' && Number.isSafeInteger(value['s']) && typeof value['p'] === 'string') return value as unknown as Extract<Cursor, { k: K }>;
    if (kind === 'c' && typeof value['c'] === 'string') return value as unknown as Extract<Cursor, { k: K }>;
    if (kind === 'r' && typeof value['c'] === 'string' && typeof value['i'] === 'string') return value as unknown as Extract<Cursor, { k: K }>;
    // A line is an index into a batch: a forged negative or fractional one must not reach it.
    if (kind === 'd' && typeof value['o'] === 'string' && isLineNumber(value['l'])) return value as unknown as Extract<Cursor, { k: K }>;
  } catch {
    // not base64url JSON: fall through to "invalid"
  }
  return undefined;
}

function isLineNumber(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
