/** The `iceberg` section of the configuration (docs/configuration.md, docs/iceberg.md). */
import { z } from 'zod';
import { durationMs } from './duration.js';

export const icebergSchema = z.strictObject({
  /** Keep an Apache Iceberg table per dataset under `_tukang/` (docs/iceberg.md). */
  enabled: z.boolean().default(true),
  /** The namespace the catalog's Iceberg REST endpoints list the tables in. */
  namespace: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and underscores, starting with a letter').default('tukang'),
  /** At most one snapshot per table this often (plus one as soon as a partition completes). */
  commit_interval: durationMs.default(10_000),
  /** How often every partition state is compared with the table, catching changes another instance committed but did not snapshot. */
  reconcile_interval: durationMs.default(600_000),
  /** Snapshots kept at most per table; older ones expire (time travel reaches back this far). */
  max_snapshots: z.number().int().min(1).default(500),
  /** Snapshots older than this expire even below max_snapshots. */
  snapshot_max_age: durationMs.default(7 * 86_400_000),
  /** Previous metadata files kept (the metadata log); older ones are deleted. */
  metadata_log_size: z.number().int().min(1).default(20),
});
