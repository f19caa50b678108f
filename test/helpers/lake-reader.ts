/**
 * Reads the lake back from S3 the way an independent loader would: partition states from the
 * metadata, then every listed Parquet file with hyparquet (not the engine that wrote it).
 */
import { parquetMetadata, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { PartitionState } from '../../src/lake/metadata-types.js';
import { getJson, listAll, type ObjectStore } from '../../src/storage/object-store.js';

export interface LakeFile {
  key: string;
  rows: Array<Record<string, unknown>>;
  metadata: FileMetaData;
}

export interface LakePartition {
  state: PartitionState;
  files: LakeFile[];
}

export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export async function readParquetObject(store: ObjectStore, key: string): Promise<LakeFile> {
  const object = await store.get(key);
  if (!object) throw new Error(`missing data file ${key}`);
  const buffer = arrayBufferOf(object.body);
  return { key, rows: await parquetReadObjects({ file: buffer, compressors }), metadata: parquetMetadata(buffer) };
}

export async function readPartitionStates(store: ObjectStore, root: string, dataset: string): Promise<PartitionState[]> {
  const states: PartitionState[] = [];
  for await (const object of listAll(store, `${root}_tukang/datasets/${dataset}/partitions/`)) {
    if (!object.key.endsWith('/state.json')) continue;
    const state = await getJson<PartitionState>(store, object.key);
    if (state) states.push(state.value);
  }
  return states.sort((a, b) => a.partition_path.localeCompare(b.partition_path));
}

export async function readLake(store: ObjectStore, root: string, dataset: string): Promise<LakePartition[]> {
  const partitions: LakePartition[] = [];
  for (const state of await readPartitionStates(store, root, dataset)) {
    const files: LakeFile[] = [];
    for (const f of state.files) files.push(await readParquetObject(store, f.key));
    partitions.push({ state, files });
  }
  return partitions;
}
