import type { ChangeRecord } from '../../lake/metadata-types.js';

export interface ChangeEntry {
  /** Object name below `changes/`; its order is the change order. */
  name: string;
  path: string;
  change: ChangeRecord['change'];
  version: number;
  at: string;
  atMs: number;
}

/** The time a change-log name begins with (`parseChangeRecordName`'s `at`): up to its first `Z`. */
function atOfName(name: string): string {
  return name.slice(0, name.indexOf('Z') + 1);
}

/**
 * A dataset's change log sorted by name, in parallel arrays whose only heap objects are the
 * names (the paths are the index's own strings where it knows the partition, and kinds are
 * constants). Entries are built when asked for.
 */
export class ChangeColumns {
  private readonly names: string[] = [];
  private readonly paths: string[] = [];
  private readonly kinds: Array<ChangeRecord['change']> = [];
  private readonly versions: number[] = [];
  private readonly atMs: number[] = [];
  /** Change times that are not the start of their name, by name (never, for names the lake writes). */
  private readonly oddAt = new Map<string, string>();

  get length(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return this.names[this.bound(name)] === name;
  }

  /** Inserts a change in name order (usually at the end), its path given as `path`; false when the name was known. */
  add(change: ChangeEntry, path: string): boolean {
    const at = this.bound(change.name);
    if (this.names[at] === change.name) return false;
    this.names.splice(at, 0, change.name);
    this.paths.splice(at, 0, path);
    this.kinds.splice(at, 0, change.change);
    this.versions.splice(at, 0, change.version);
    this.atMs.splice(at, 0, change.atMs);
    if (change.at !== atOfName(change.name)) this.oddAt.set(change.name, change.at);
    return true;
  }

  name(i: number): string {
    return this.names[i] as string;
  }

  path(i: number): string {
    return this.paths[i] as string;
  }

  timeMs(i: number): number {
    return this.atMs[i] as number;
  }

  entry(i: number): ChangeEntry {
    const name = this.name(i);
    return {
      name,
      path: this.path(i),
      change: this.kinds[i] as ChangeRecord['change'],
      version: this.versions[i] as number,
      at: this.oddAt.get(name) ?? atOfName(name),
      atMs: this.timeMs(i),
    };
  }

  /** First index with name >= name (or > name when `after`). */
  bound(name: string, after = false): number {
    let lo = 0;
    let hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const n = this.names[mid] as string;
      if (n < name || (after && n === name)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
