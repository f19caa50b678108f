import { daysSinceEpoch, isValidDay } from './civil-days.js';
import { readDigits } from './digits.js';

const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;
const MS_PER_DAY = 86_400_000;

/**
 * Parses an RFC 3339 date-time ("2026-11-21T10:15:00.123+01:00") into epoch milliseconds; NaN
 * when malformed. Strict on purpose: the offset (or Z) is required, because a local time without
 * one would silently land in the wrong partition. Fractions beyond milliseconds are truncated; a
 * leap second (:60) counts as the first second of the next minute, as POSIX time does.
 * Hand-written rather than a regex plus Date.parse: this runs once or more per event.
 */
export function parseRfc3339(text: string): number {
  const length = text.length;
  if (length < 20) return Number.NaN;
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return Number.NaN;
  const separator = text.charCodeAt(10);
  if (separator !== 84 /* T */ && separator !== 116 /* t */) return Number.NaN;
  if (text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return Number.NaN;

  const year = readDigits(text, 0, 4);
  const month = readDigits(text, 5, 2);
  const day = readDigits(text, 8, 2);
  const hour = readDigits(text, 11, 2);
  const minute = readDigits(text, 14, 2);
  const second = readDigits(text, 17, 2);
  if (year < 0 || !isValidDay(year, month, day)) return Number.NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return Number.NaN;

  let index = 19;
  let millis = 0;
  if (text.charCodeAt(index) === DOT) {
    index++;
    const fractionStart = index;
    let scale = 100;
    while (index < length) {
      const digit = text.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) break;
      millis += digit * scale;
      scale /= 10;
      index++;
    }
    if (index === fractionStart) return Number.NaN;
    millis = Math.floor(millis);
  }

  const offsetMinutes = readOffset(text, index);
  if (Number.isNaN(offsetMinutes)) return Number.NaN;

  const timeOfDay = ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
  return daysSinceEpoch(year, month, day) * MS_PER_DAY + timeOfDay;
}

/** The zone offset at `index` to the end of `text`, in minutes east of UTC; NaN when malformed. */
function readOffset(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code === 90 /* Z */ || code === 122 /* z */) return index + 1 === text.length ? 0 : Number.NaN;
  if (code !== PLUS && code !== DASH) return Number.NaN;
  if (index + 6 !== text.length || text.charCodeAt(index + 3) !== COLON) return Number.NaN;
  const hours = readDigits(text, index + 1, 2);
  const minutes = readDigits(text, index + 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN;
  const total = hours * 60 + minutes;
  return code === PLUS ? total : -total;
}
