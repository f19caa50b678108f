import { daysSinceEpoch, isValidDay } from './civil-days.js';
import { readDigits } from './digits.js';

/** Parses exactly "YYYY-MM-DD" into days since 1970-01-01; NaN when malformed or not a real day. */
export function parsePlainDate(text: string): number {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Number.NaN;
  const year = readDigits(text, 0, 4);
  const month = readDigits(text, 5, 2);
  const day = readDigits(text, 8, 2);
  if (year < 0 || !isValidDay(year, month, day)) return Number.NaN;
  return daysSinceEpoch(year, month, day);
}
