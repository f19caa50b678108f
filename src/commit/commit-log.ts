import { TukangError } from '../errors/catalogue.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import { partitionStateSchema } from '../lake/metadata-schemas.js';
import type { AccountedRange, FileCommit, PartitionState } from '../lake/metadata-types.js';
import { readMetadata } from '../lake/read-metadata.js';
import type { ObjectStore } from '../storage/object-store.js';
import { withAccounted } from './accounted-ranges.js';
import { FilePlacement } from './file-placement.js';
import type { CommitListener } from './commit-listener.js';
import { appendChange, maxIso, minIso, writeManifest } from './partition-documents.js';
import { PartitionUpdates } from './partition-update.js';
import { SourceRecords } from './source-records.js';
import { switchedState } from './version-switch.js';
import { accountedOverlapping, fileOverlapping, sourceRangesOf } from './source-ranges.js';

/** A partition state whose open marker exists: open, and listing a file or an accounted range (see commitFile). */
function holdsOpenMarker(state: PartitionState | undefined): boolean {
  return state !== undefined && state.status === 'open' && (state.files.length > 0 || (state.accounted_ranges?.length ?? 0) > 0);
}

/** A commit that went without adding the open marker met a state that may not have one (see commitFile). */
class MarkerNeeded extends Error {}

/**
 * Tukang's metadata in S3: the commit protocol's only writer. Every update of shared state is a
 * conditional write (If-None-Match to create, If-Match to replace), so concurrent instances and
 * retries after ambiguous answers can neither lose nor double a file.
 */
export class CommitLog extends SourceRecords {
  /** Keeps each partition's Hive folder equal to its current files (publish after commit, retire after a switch). */
  readonly placement: FilePlacement;
  private readonly updates: PartitionUpdates;

  constructor(
    store: ObjectStore,
    layout: LakeLayout,
    private readonly bucket: string,
    /** Told of every committed partition change (the Iceberg committer); must not throw. */
    private readonly listener?: CommitListener,
  ) {
    super(store, layout);
    this.placement = new FilePlacement(store, layout);
    this.updates = new PartitionUpdates(store, layout);
  }

  uriOf(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  /**
   * Commits an uploaded data file: registers its partition as open, adds the file to the
   * partition state (the commit point for readers; rejected with COMMIT_OVERLAP when a file of
   * the same source partition already covers some of its offsets), then writes the immutable
   * commit record that recovery lists. Idempotent: a retry finds its file already listed.
   * `isChecked`, when given, says which listed files the writer checked its rows against (or
   * knows cannot hold any of its events): a file listed since that it does not know is refused
   * with COMMIT_RECHECK.
   */
  async commitFile(commit: FileCommit, sourceDataset = commit.dataset, isChecked?: (key: string) => boolean): Promise<PartitionState> {
    // Registered as open before the state changes, so that a crash in between cannot leave a
    // partition that no instance ever completes. Completing it removes the marker. A state that
    // is open and lists something has its marker already (the first commit wrote it; only
    // completion removes it): when this process's copy says so, the commit goes without the PUT,
    // and its write requires the state still to be so (markerHeld), else it adds the marker first.
    const markerHeld = holdsOpenMarker(this.updates.peek(commit.dataset, commit.partition_path));
    if (!markerHeld) await this.addOpenMarker(commit.dataset, commit.partition_path);
    let state: PartitionState;
    try {
      state = await this.addToPartition(commit, isChecked, markerHeld);
    } catch (err) {
      if (!(err instanceof MarkerNeeded)) throw err;
      await this.addOpenMarker(commit.dataset, commit.partition_path);
      state = await this.addToPartition(commit, isChecked);
    }
    // Committed: now folder readers may see it. A crash before this leaves it staged until the
    // partition's next reconciliation (at completion, or on the tick that deletes its open marker).
    await this.placement.publish([commit.key]);
    await this.writeCommitRecord(state.files.find((f) => f.key === commit.key) ?? commit, sourceDataset);
    return state;
  }

  /**
   * Commits source offsets accounted for without a data file (AccountedRange: duplicates with no
   * row left to write): the steps of a file without upload and publish. Open marker, then the
   * partition state (the commit point: its `duplicates` grow, and a range overlapping a file or
   * an accounted range of the same source partition is refused with COMMIT_OVERLAP), then the
   * commit record. Idempotent: a retry finds its range already listed.
   */
  async commitAccounted(entry: AccountedRange, sourceDataset = entry.dataset): Promise<PartitionState> {
    await this.addOpenMarker(entry.dataset, entry.partition_path);
    const state = await this.updatePartition(entry.dataset, entry.partition_path, (current, now) => withAccounted(current, entry, now));
    await this.writeAccountedRecord(entry, sourceDataset);
    return state;
  }

  /**
   * What the states of `dataset`'s open partitions list for a source partition at or past
   * `fromOffset`: files with those ranges, and accounted ranges. A commit record is written after
   * its state (step 4 after step 3), so a crash in between leaves a commit that `recordsFrom`
   * does not find; its partition keeps its open marker until completed.
   */
  async openRecordsFrom(
    dataset: string,
    topic: string,
    sourcePartition: number,
    fromOffset: number,
  ): Promise<{ files: Array<{ file: FileCommit; ranges: Array<{ first: number; last: number }> }>; accounted: AccountedRange[] }> {
    const files: Array<{ file: FileCommit; ranges: Array<{ first: number; last: number }> }> = [];
    const accounted: AccountedRange[] = [];
    const wanted = (r: { topic: string; partition: number; last_offset: number }): boolean => r.topic === topic && r.partition === sourcePartition && r.last_offset >= fromOffset;
    for (const path of await this.openPartitions(dataset)) {
      const state = await this.readPartition(dataset, path);
      for (const file of state?.value.files ?? []) {
        const ranges = sourceRangesOf(file)
          .filter(wanted)
          .map((r) => ({ first: r.first_offset, last: r.last_offset }));
        if (ranges.length > 0) files.push({ file, ranges });
      }
      accounted.push(...(state?.value.accounted_ranges ?? []).filter((a) => wanted(a.source)));
    }
    return { files, accounted };
  }

  /** Adds a committed file to its partition's state; a complete partition gets a new version. */
  async addToPartition(commit: FileCommit, isChecked?: (key: string) => boolean, markerHeld = false): Promise<PartitionState> {
    let late = false;
    const state = await this.updatePartition(commit.dataset, commit.partition_path, (current, now) => {
      if (current.files.some((f) => f.key === commit.key)) return undefined;
      if (markerHeld && !holdsOpenMarker(current)) throw new MarkerNeeded();
      const overlapping = fileOverlapping(current.files, commit.source);
      if (overlapping) {
        throw new TukangError(
          'COMMIT_OVERLAP',
          `${commit.key} covers offsets ${commit.source.first_offset}-${commit.source.last_offset}, which overlap ${overlapping.key} (${sourceRangesOf(overlapping).map((r) => `${r.partition}:${r.first_offset}-${r.last_offset}`).join(', ')})`,
        );
      }
      if (accountedOverlapping(current, commit.source)) throw new TukangError('COMMIT_OVERLAP', `${commit.key} covers offsets of an accounted range`);
      const unchecked = isChecked === undefined ? 0 : current.files.filter((f) => !isChecked(f.key)).length;
      if (unchecked > 0) throw new TukangError('COMMIT_RECHECK', `${unchecked} files were committed to ${commit.partition_path} after ${commit.key} was checked for duplicates`);
      late = current.status === 'complete';
      const file: FileCommit = { ...commit, late };
      const next: PartitionState = {
        ...current,
        files: [...current.files, file],
        rows: current.rows + file.rows,
        bytes: current.bytes + file.bytes,
        duplicates: current.duplicates + file.duplicates,
        late_rows: current.late_rows + (late ? file.rows : 0),
        min_event_at: minIso(current.min_event_at, file.min_event_at),
        max_event_at: maxIso(current.max_event_at, file.max_event_at),
        updated_at: now,
      };
      if (late) {
        const version = current.version + 1;
        next.version = version;
        next.versions = [
          ...current.versions,
          {
            version,
            reason: 'late_data',
            created_at: now,
            completed_at: now,
            files: next.files.length,
            rows: next.rows,
            manifest: this.layout.partitionManifest(commit.dataset, commit.partition_path, version),
          },
        ];
      } else {
        next.versions = current.versions.map((v) => (v.version === current.version ? { ...v, files: next.files.length, rows: next.rows } : v));
      }
      return next;
    });
    this.listener?.partitionChanged(state.dataset, state.partition_path, 'file');
    if (late) {
      await writeManifest(this.store, this.layout, state);
      await appendChange(this.store, this.layout, { dataset: state.dataset, partition_path: state.partition_path, version: state.version, change: 'late_data', at: state.updated_at });
    }
    return state;
  }

  /**
   * Marks a partition complete: manifest first, then the state (the commit point), then _SUCCESS.
   * Returns the new state, or undefined when there was nothing to complete.
   */
  async completePartition(dataset: string, partitionPath: string, sourceDataset = dataset): Promise<PartitionState | undefined> {
    const existing = await this.readPartition(dataset, partitionPath);
    // The marker is also what lets an assignment find a file whose commit record a crash kept from
    // being written (openRecordsFrom). Late files (and a side table's) can come here before their
    // source partition is assigned again: their records are written before the marker goes.
    for (const file of existing?.value.files ?? []) {
      if (file.sources === undefined && (file.late || dataset !== sourceDataset)) await this.writeCommitRecord(file, sourceDataset);
    }
    // Accounted ranges are few: their records are all written again (a repeat is a 412).
    for (const entry of existing?.value.accounted_ranges ?? []) await this.writeAccountedRecord(entry, sourceDataset);
    // The open marker also stands for "placement may be unfinished" (a crash between a commit
    // and its publish, or during a version switch): repair the folder before dropping it.
    if (existing) await this.reconcileFolder(dataset, partitionPath);
    if (existing?.value.status === 'complete') {
      // A crash after the commit point left the marker: finish the steps after it (they are
      // idempotent) before the marker goes, or a "changed since" poller never hears of it.
      await this.finishCompleted(existing.value);
      return undefined;
    }
    if (!existing) {
      await this.dropOpenMarker(dataset, partitionPath);
      return undefined;
    }
    await writeManifest(this.store, this.layout, existing.value);
    const state = await this.updatePartition(dataset, partitionPath, (current, now) => {
      if (current.status === 'complete') return undefined;
      return {
        ...current,
        status: 'complete',
        updated_at: now,
        versions: current.versions.map((v) =>
          v.version === current.version
            ? { ...v, completed_at: now, files: current.files.length, rows: current.rows, manifest: this.layout.partitionManifest(dataset, partitionPath, v.version) }
            : v,
        ),
      };
    });
    // The manifest was written from a snapshot; if files arrived meanwhile, rewrite it from the final state.
    if (state.files.length !== existing.value.files.length) await writeManifest(this.store, this.layout, state);
    await this.store.put(this.layout.successMarker(dataset, partitionPath), '');
    await appendChange(this.store, this.layout, { dataset, partition_path: partitionPath, version: state.version, change: 'complete', at: state.updated_at });
    await this.dropOpenMarker(dataset, partitionPath);
    this.listener?.partitionChanged(dataset, partitionPath, 'complete');
    return state;
  }

  /** The steps after a complete version's commit point, again: manifest if missing, _SUCCESS, its change record, then the marker goes. */
  private async finishCompleted(state: PartitionState): Promise<void> {
    const current = state.versions.find((v) => v.version === state.version);
    const change = current?.reason === 'late_data' || current?.reason === 'replay' || current?.reason === 'compaction' ? current.reason : 'complete';
    const manifestKey = this.layout.partitionManifest(state.dataset, state.partition_path, state.version);
    if ((await this.store.head(manifestKey)) === undefined) await writeManifest(this.store, this.layout, state);
    await this.store.put(this.layout.successMarker(state.dataset, state.partition_path), '');
    // The change record's key is derived from the version's time: written again, it is the same object.
    await appendChange(this.store, this.layout, { dataset: state.dataset, partition_path: state.partition_path, version: state.version, change, at: current?.completed_at ?? state.updated_at });
    await this.dropOpenMarker(state.dataset, state.partition_path);
  }

  /**
   * The atomic switch of a replay: the partition's current version becomes `files`, as version
   * n+1 with reason `replay`, in one If-Match write of the state. Refused (REPLAY_CONFLICT) when
   * the partition is no longer at `expectedVersion`: late data arrived while the replay ran.
   * `replayed` (a replay's read ranges of this partition) drops the accounted ranges inside them;
   * a compaction passes none and keeps them all (see accountedKept).
   */
  async switchToReplay(
    dataset: string,
    partitionPath: string,
    expectedVersion: number,
    files: FileCommit[],
    replayId: string,
    reason: 'replay' | 'compaction' = 'replay',
    replayed?: ReadonlyArray<{ partition: number; first: number; last: number }>,
  ): Promise<PartitionState> {
    // Marks the partition for reconciliation, so a crash between the state write and the end of
    // the folder switch below is repaired by whichever instance next processes open markers.
    await this.addOpenMarker(dataset, partitionPath);
    const manifest = (version: number): string => this.layout.partitionManifest(dataset, partitionPath, version);
    const state = await this.updatePartition(dataset, partitionPath, (current, now) => switchedState(current, { expectedVersion, files, replayId, reason, manifest, ...(replayed ? { replayed } : {}) }, now));
    // The switch window: from the state write above until the folder holds the new files only.
    await this.reconcileFolder(dataset, partitionPath);
    this.listener?.partitionChanged(dataset, partitionPath, reason);
    await writeManifest(this.store, this.layout, state);
    await appendChange(this.store, this.layout, { dataset, partition_path: partitionPath, version: state.version, change: reason, at: state.updated_at });
    return state;
  }

  /** Makes the partition's Hive folder hold exactly the files its current state lists. */
  async reconcileFolder(dataset: string, partitionPath: string): Promise<void> {
    await this.placement.reconcile(dataset, partitionPath, async () => (await this.readPartition(dataset, partitionPath))?.value.files.map((f) => f.key) ?? []);
  }

  async readPartition(dataset: string, partitionPath: string): Promise<{ value: PartitionState; etag: string } | undefined> {
    return readMetadata(this.store, this.layout.partitionState(dataset, partitionPath), partitionStateSchema);
  }

  /**
   * The partition state as this process last wrote or read it (else read now): for a flush, whose
   * commit is a conditional write that refuses a stale copy, so it costs a retry, never a wrong
   * write. Answers (the catalog, completion, replay plans) use readPartition.
   */
  async knownPartition(dataset: string, partitionPath: string): Promise<PartitionState | undefined> {
    return this.updates.knownOrRead(dataset, partitionPath);
  }

  private updatePartition(dataset: string, partitionPath: string, mutate: (current: PartitionState, nowIso: string) => PartitionState | undefined): Promise<PartitionState> {
    return this.updates.update(dataset, partitionPath, mutate);
  }
}
