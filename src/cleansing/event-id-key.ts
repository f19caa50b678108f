/**
 * The compact byte form of an event id that the deduplicator stores (cleansing/deduplicator.ts),
 * and its hash. The form is injective: two different id strings never get the same bytes, so a
 * byte comparison decides equality exactly.
 *
 * - a canonical UUID (8-4-4-4-12 hex digits, all lower case or all upper case): a tag byte and
 *   the 16 bytes it spells (17 bytes instead of 36);
 * - an ASCII id of at most 255 characters: a tag, its length, its bytes;
 * - a longer ASCII id: a tag, a 4-byte length, its bytes;
 * - anything else: a tag, a 4-byte count of UTF-16 code units, 2 bytes each (UTF-8 would merge
 *   different lone surrogates into one U+FFFD, and so two different ids).
 */
export const KEY_UUID_LOWER = 1;
export const KEY_UUID_UPPER = 2;
export const KEY_ASCII_SHORT = 3;
export const KEY_ASCII_LONG = 4;
export const KEY_UTF16 = 5;

/** Hashes `length` bytes of `bytes` from `start` to an unsigned 32-bit integer. */
export type KeyHash = (bytes: Uint8Array, start: number, length: number) => number;

/** Hex digit values by character code; bit 4 marks a–f, bit 5 marks A–F, 0xff not a digit. */
const HEX = new Uint8Array(128).fill(0xff);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[97 + c] = (10 + c) | 0x10;
  HEX[65 + c] = (10 + c) | 0x20;
}

/** The most bytes `encodeKey` writes for an id of `length` UTF-16 code units. */
export function maxKeyBytes(length: number): number {
  return 5 + 2 * length;
}

/** Writes the key of `id` into `out` from 0 (at least `maxKeyBytes(id.length)` long); returns its length. */
export function encodeKey(id: string, out: Uint8Array): number {
  if (id.length === 36) {
    const uuid = encodeUuid(id, out);
    if (uuid > 0) return uuid;
  }
  return encodeOther(id, out);
}

function encodeUuid(id: string, out: Uint8Array): number {
  if (id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return 0;
  let cases = 0;
  let byte = 1;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const hi = HEX[id.charCodeAt(i)] ?? 0xff;
    const lo = HEX[id.charCodeAt(i + 1)] ?? 0xff;
    if (hi === 0xff || lo === 0xff) return 0;
    cases |= hi | lo;
    out[byte++] = ((hi & 15) << 4) | (lo & 15);
  }
  if ((cases & 0x30) === 0x30) return 0; // mixed case: kept as ASCII so that it stays a different id
  out[0] = cases & 0x20 ? KEY_UUID_UPPER : KEY_UUID_LOWER;
  return 17;
}

function encodeOther(id: string, out: Uint8Array): number {
  const n = id.length;
  const start = n <= 255 ? 2 : 5;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0x80) return encodeUtf16(id, out);
    out[start + i] = c;
  }
  if (n <= 255) {
    out[0] = KEY_ASCII_SHORT;
    out[1] = n;
  } else {
    out[0] = KEY_ASCII_LONG;
    writeLength(out, n);
  }
  return start + n;
}

function encodeUtf16(id: string, out: Uint8Array): number {
  out[0] = KEY_UTF16;
  writeLength(out, id.length);
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    out[5 + 2 * i] = c & 0xff;
    out[6 + 2 * i] = c >>> 8;
  }
  return 5 + 2 * id.length;
}

function writeLength(out: Uint8Array, n: number): void {
  out[1] = n & 0xff;
  out[2] = (n >>> 8) & 0xff;
  out[3] = (n >>> 16) & 0xff;
  out[4] = n >>> 24;
}

/** The length of the key stored at `start` of `bytes`, read from its tag and length bytes. */
export function keyLength(bytes: Uint8Array, start: number): number {
  const tag = bytes[start];
  if (tag === KEY_UUID_LOWER || tag === KEY_UUID_UPPER) return 17;
  if (tag === KEY_ASCII_SHORT) return 2 + (bytes[start + 1] ?? 0);
  const n = ((bytes[start + 1] ?? 0) | ((bytes[start + 2] ?? 0) << 8) | ((bytes[start + 3] ?? 0) << 16)) + (bytes[start + 4] ?? 0) * 0x1000000;
  return tag === KEY_ASCII_LONG ? 5 + n : 5 + 2 * n;
}

/** FNV-1a over the bytes, then MurmurHash3's finalizer to spread the low bits. */
export const fnv1aHash: KeyHash = (bytes, start, length) => {
  let h = 0x811c9dc5;
  for (let i = start, end = start + length; i < end; i++) h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};
