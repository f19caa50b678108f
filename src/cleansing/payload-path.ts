import { isPlainObject } from './describe-value.js';

/** Reads the value at a fixed path inside a parsed JSON object; undefined when any step is missing. */
export type PathReader = (root: Record<string, unknown>) => unknown;

/**
 * Compiles a path into a reader once per column, so the hot path does no splitting or checks on
 * the segment names. A plain `obj[key]` would find inherited members for names such as
 * "constructor" or "__proto__"; only those segments pay for an own-property check.
 */
export function compilePathReader(path: readonly string[]): PathReader {
  const steps = path.map(compileStep);
  if (steps.length === 1) {
    const only = steps[0]!;
    return only;
  }
  return (root) => {
    let current: unknown = root;
    for (const step of steps) {
      if (!isPlainObject(current)) return undefined;
      current = step(current);
    }
    return current;
  };
}

function compileStep(key: string): (obj: Record<string, unknown>) => unknown {
  if (key in Object.prototype) return (obj) => (Object.hasOwn(obj, key) ? obj[key] : undefined);
  return (obj) => obj[key];
}

/** Splits a dotted path; undefined when a segment is empty ("a..b", ".a"). */
export function splitDottedPath(dotted: string): string[] | undefined {
  const segments = dotted.split('.');
  return segments.every((s) => s.length > 0) ? segments : undefined;
}
