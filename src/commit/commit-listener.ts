/**
 * Told after each change of a partition's committed state (a file added, the partition
 * completed, a replay switched): a cheap, synchronous notification that must not fail or block
 * the commit path. The Iceberg committer (iceberg/) is fed this way; it re-reads the state itself.
 */
export type PartitionChange = 'file' | 'complete' | 'replay' | 'compaction';

export interface CommitListener {
  partitionChanged(dataset: string, partitionPath: string, change: PartitionChange): void;
}
