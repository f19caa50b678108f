const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;
const INT64_MAX_DIGITS = 19;

/**
 * Parses a decimal integer string ("-42", "9007199254740993") into a bigint within the int64
 * range; undefined otherwise. No sign "+", spaces, exponents or fractions: producers that send
 * int64 as strings do so to keep exact digits, so anything looser is more likely a bug upstream.
 */
export function parseInt64(text: string): bigint | undefined {
  const start = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const digits = text.length - start;
  if (digits === 0 || digits > INT64_MAX_DIGITS) return undefined;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  const value = BigInt(text);
  if (digits === INT64_MAX_DIGITS && (value > INT64_MAX || value < INT64_MIN)) return undefined;
  return value;
}
