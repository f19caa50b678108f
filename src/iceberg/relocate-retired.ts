/**
 * Keeps time travel working across a replay or compaction switch. The switch moves the files the
 * new version no longer lists out of the Hive folder (to `_tukang/superseded/…`, so folder readers
 * never count them twice), but the snapshots from before it name them at their folder keys. When
 * the Iceberg committer commits the snapshot that deletes them, it rewrites, for every snapshot it
 * keeps, the manifests that name a moved file (and the manifest list above them) so they name the
 * superseded location, and points those snapshots at the new manifest lists in the new metadata.
 *
 * Manifests and manifest lists stay immutable: rewritten ones are new objects. A snapshot keeps
 * its id, parent, sequence number and rows; only where its files are read from changes, which the
 * spec allows (a snapshot is its `manifest-list` in the metadata that holds it; `replace` covers
 * "relocating data files"). Manifests shared by several snapshots are rewritten once.
 */
import { STATUS, decodeManifest, decodeManifestList, encodeManifest, encodeManifestList, type ManifestFile } from './manifests.js';
import type { Snapshot } from './table-metadata.js';
import type { TableLayout } from './table-schema.js';
import type { TableStore } from './table-store.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface RelocationInput {
  dataset: string;
  layout: TableLayout;
  store: ObjectStore;
  tables: TableStore;
  read(uri: string): Promise<Uint8Array>;
  /** The snapshots the new metadata keeps (not the new one). */
  snapshots: readonly Snapshot[];
  /** Data file URI at its folder key → its superseded URI. */
  moved: ReadonlyMap<string, string>;
  /** Manifest buckets that can hold a moved file (others are not read). */
  buckets: ReadonlySet<string>;
  /** The snapshot being committed: names the rewritten objects, so retries never collide. */
  bySnapshotId: number;
}

export interface Relocation {
  /** `snapshots` with the manifest lists that name moved files replaced. */
  snapshots: Snapshot[];
  /** Keys written (deleted again if the commit loses its race). */
  written: string[];
  /** Keys of manifests and manifest lists the new metadata no longer reaches (deleted after the commit). */
  replaced: string[];
}

export async function relocateRetired(input: RelocationInput): Promise<Relocation> {
  const result: Relocation = { snapshots: [...input.snapshots], written: [], replaced: [] };
  if (input.moved.size === 0) return result;
  const { tables, dataset } = input;
  // Original manifest path → its rewrite (undefined: names no moved file, kept as it is).
  const rewrites = new Map<string, Promise<ManifestFile | undefined>>();
  const rewrite = (m: ManifestFile): Promise<ManifestFile | undefined> => {
    const bucket = tables.bucketOfManifest(m.path);
    if (bucket !== undefined && !input.buckets.has(bucket)) return Promise.resolve(undefined);
    let pending = rewrites.get(m.path);
    if (!pending) {
      pending = rewriteManifest(input, m);
      rewrites.set(m.path, pending);
    }
    return pending;
  };
  for (const [i, snapshot] of input.snapshots.entries()) {
    const listed = decodeManifestList(await input.read(snapshot['manifest-list']));
    const next = await Promise.all(listed.map(async (m) => (await rewrite(m)) ?? m));
    if (next.every((m, j) => m === listed[j])) continue;
    const listKey = tables.manifestListKey(dataset, snapshot['snapshot-id'], `r${input.bySnapshotId}`);
    const body = encodeManifestList(next, { id: snapshot['snapshot-id'], parentId: snapshot['parent-snapshot-id'] ?? null, sequenceNumber: snapshot['sequence-number'] });
    await input.store.put(listKey, body, { contentType: 'application/octet-stream' });
    result.written.push(listKey);
    result.replaced.push(tables.keyOf(snapshot['manifest-list']));
    result.snapshots[i] = { ...snapshot, 'manifest-list': tables.uri(listKey) };
  }
  for (const [path, pending] of rewrites) {
    const done = await pending;
    if (done) {
      result.written.push(tables.keyOf(done.path));
      result.replaced.push(tables.keyOf(path));
    }
  }
  return result;
}

async function rewriteManifest(input: RelocationInput, m: ManifestFile): Promise<ManifestFile | undefined> {
  const entries = decodeManifest(await input.read(m.path));
  if (!entries.some((e) => e.status !== STATUS.deleted && input.moved.has(e.path))) return undefined;
  const relocated = entries.map((e) => ({ ...e, path: input.moved.get(e.path) ?? e.path }));
  const key = input.tables.rewrittenManifestKey(m.path, input.bySnapshotId);
  const body = encodeManifest(input.layout, relocated);
  await input.store.put(key, body, { contentType: 'application/octet-stream' });
  return { ...m, path: input.tables.uri(key), length: body.length };
}
