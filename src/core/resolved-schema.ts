/** The column types a dataset can declare (config) and the writer can encode. */
export const scalarTypes = ['string', 'boolean', 'int32', 'int64', 'float64', 'timestamp', 'date', 'json'] as const;
export type ScalarType = (typeof scalarTypes)[number];

/** A column as the writer sees it: its Parquet shape and where its value comes from in an event. */
export interface ResolvedColumn {
  name: string;
  type: ScalarType | 'struct' | 'list';
  nullable: boolean;
  description: string;
  /** Path of the value inside the event payload, split on dots. Empty for computed columns. */
  path: string[];
  fields?: ResolvedColumn[];
  items?: ResolvedColumn;
}

/** A dataset's schema after declared columns or a JSON Schema were resolved. */
export interface ResolvedSchema {
  /** A short stable hash of the columns; recorded with every file so readers can tell schema changes. */
  version: string;
  /** Data columns written to files, in order (partitioning fields excluded; `_extra` last when kept). */
  columns: ResolvedColumn[];
  /** Partitioning fields: Hive path keys after the time keys, not repeated inside files. */
  partitionFields: Array<{ name: string; path: string[] }>;
}
