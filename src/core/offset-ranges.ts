/** An inclusive range of offsets of one source partition. */
export interface InclusiveRange {
  first: number;
  last: number;
}

/** Whether `offset` lies in one of `ranges` (inclusive at both ends). */
export function inRanges(offset: number, ranges: ReadonlyArray<InclusiveRange>): boolean {
  return ranges.some((r) => offset >= r.first && offset <= r.last);
}
