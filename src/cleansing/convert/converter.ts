import type { CellValue } from '../../core/records.js';

/** Returned by a converter instead of a value; the reason is left in the Failure it was given. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

/**
 * Where a converter reports why a value does not fit. One mutable object per compiled validator
 * rather than a result object per value: the success path then allocates nothing extra.
 * `field` is relative to the value the converter was given ('' for the value itself); enclosing
 * struct and list converters prefix it on the way out.
 */
export interface Failure {
  field: string;
  problem: string;
}

/** Converts a JSON value (undefined when missing) into a cell value, or reports a failure. */
export type Converter = (raw: unknown, failure: Failure) => CellValue | Invalid;

export function fail(failure: Failure, problem: string): Invalid {
  failure.field = '';
  failure.problem = problem;
  return INVALID;
}

/** Puts `label` (a field name or "[3]") in front of the failing field's name. */
export function prefixFailure(failure: Failure, label: string): Invalid {
  if (failure.field === '') failure.field = label;
  else failure.field = failure.field.charCodeAt(0) === 91 /* [ */ ? label + failure.field : `${label}.${failure.field}`;
  return INVALID;
}
