/**
 * Small allocation-free helpers for filling Arrow buffers: validity bitmaps and 64-bit integers
 * written from plain numbers.
 */

/**
 * Clears bit `index` of a validity bitmap, creating the bitmap (all valid) on the first null.
 * Columns without nulls then never pay for a bitmap, and valid values cost no bit writes at all.
 */
export function markNull(validity: Uint8Array | undefined, index: number, length: number): Uint8Array {
  const bitmap = validity ?? new Uint8Array((length + 7) >> 3).fill(0xff);
  bitmap[index >> 3] = (bitmap[index >> 3] as number) & ~(1 << (index & 7));
  return bitmap;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_POW_32 = 4_294_967_296;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A BigInt64Array filled from numbers without creating a bigint per value: on little-endian
 * machines (all that Node runs on in practice) the two 32-bit halves are written through an
 * Int32Array view of the same memory. Fractional numbers are floored.
 */
export class Int64Writer {
  readonly array: BigInt64Array;
  private readonly words: Int32Array;

  constructor(length: number) {
    this.array = new BigInt64Array(length);
    this.words = new Int32Array(this.array.buffer, this.array.byteOffset, length * 2);
  }

  setNumber(index: number, value: number): void {
    if (!LITTLE_ENDIAN) {
      this.array[index] = BigInt(Math.floor(value));
      return;
    }
    const high = Math.floor(value / TWO_POW_32);
    // Int32Array stores the low half modulo 2^32, which is exactly its two's-complement bit pattern.
    this.words[index * 2] = value - high * TWO_POW_32;
    this.words[index * 2 + 1] = high;
  }

  setBigInt(index: number, value: bigint): boolean {
    if (value < INT64_MIN || value > INT64_MAX) return false;
    this.array[index] = value;
    return true;
  }
}

