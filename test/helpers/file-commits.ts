import type { FileCommit } from '../../src/lake/metadata-types.js';
import type { LakeLayout } from '../../src/lake/lake-layout.js';

/** The commit of a data file `name` of dataset `orders`, covering offsets first..last of source partition t/0. */
export function ordersFileCommit(layout: LakeLayout, partitionPath: string, name: string, first: number, last: number, fields: Partial<FileCommit> = {}): FileCommit {
  const key = `${layout.partitionDir('orders', partitionPath)}${name}.parquet`;
  return {
    dataset: 'orders',
    partition_path: partitionPath,
    key,
    uri: `s3://b/${key}`,
    bytes: 1,
    rows: last - first + 1,
    sha256: 'x',
    min_event_at: '2026-11-21T10:00:00.000Z',
    max_event_at: '2026-11-21T10:59:00.000Z',
    source: { topic: 't', partition: 0, first_offset: first, last_offset: last },
    schema_version: 'v',
    duplicates: 0,
    late: false,
    committed_at: '2026-11-21T11:00:00.000Z',
    ...fields,
  };
}
