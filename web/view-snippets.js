import { copyBlock, h } from './dom.js';

/**
 * Where the manifest of a version lies in S3, from where the lake's files lie: data keys are
 * `<prefix><dataset>/<partition path>/…`, metadata `<prefix>_tukang/datasets/<dataset>/partitions/
 * <partition path>/manifests/vNNNNNN.json` (docs/architecture.md, the lake layout).
 */
export function manifestUri(partition, fileUri) {
  const marker = `${partition.dataset}/${partition.path}/`;
  const at = fileUri.lastIndexOf(marker);
  if (at < 0) return null;
  const root = fileUri.slice(0, at);
  return `${root}_tukang/datasets/${partition.dataset}/partitions/${partition.path}/manifests/v${String(partition.version).padStart(6, '0')}.json`;
}

function sqlString(text) {
  return `'${text.replaceAll("'", "''")}'`;
}

function pyString(text) {
  return JSON.stringify(text);
}

/** RFC 3339 with an explicit offset, the form PyIceberg's timestamptz literals take. */
function isoOffset(at) {
  return at.replace(/(\.\d+)?Z$/, '+00:00');
}

/**
 * PyIceberg through the catalog's Iceberg REST endpoint: the table's current snapshot, filtered to
 * this partition's event-time window and its partitioning fields' values (docs/iceberg.md).
 */
export function pyIcebergSnippet(partition, namespace, columns, origin) {
  const filters = [
    `GreaterThanOrEqual("_event_time", ${pyString(isoOffset(partition.start_at))})`,
    `LessThan("_event_time", ${pyString(isoOffset(partition.end_at))})`,
    ...Object.entries(partition.values ?? {}).filter(([k]) => columns.includes(k)).map(([k, v]) => `EqualTo(${pyString(k)}, ${pyString(v)})`),
  ];
  return [
    `# PyIceberg: ${partition.dataset} ${partition.id} in the current snapshot of the Iceberg table`,
    'from pyiceberg.catalog.rest import RestCatalog',
    `from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, LessThan`,
    `catalog = RestCatalog("tukang", uri=${pyString(`${origin}/iceberg`)}, token="<tukang.read token>",`,
    '                      **{"s3.access-key-id": "…", "s3.secret-access-key": "…"})',
    `table = catalog.load_table((${pyString(namespace)}, ${pyString(partition.dataset)}))`,
    `rows = table.scan(row_filter=And(${filters.join(', ')})).to_arrow()`,
  ].join('\n');
}

/** Copy-paste snippets that read exactly the current version of this partition. */
export function snippets(partition, iceberg) {
  const uris = partition.files.map((f) => f.uri);
  const duckdb = [
    `-- DuckDB: version ${partition.version} of ${partition.dataset} ${partition.id}, exactly these ${uris.length} files`,
    'INSTALL httpfs; LOAD httpfs;',
    "CREATE SECRET lake (TYPE s3, PROVIDER credential_chain);  -- or KEY_ID, SECRET, REGION, ENDPOINT",
    'SELECT *',
    `FROM read_parquet([${uris.map((u) => `\n  ${sqlString(u)}`).join(',')}\n])`,
    'ORDER BY _event_time, _source_partition, _source_offset;',
  ].join('\n');
  const blocks = [copyBlock('DuckDB', duckdb)];
  if (iceberg) blocks.push(copyBlock('PyIceberg', pyIcebergSnippet(partition, iceberg.namespace, iceberg.columns, iceberg.origin)));
  const manifest = partition.status === 'complete' && uris[0] ? manifestUri(partition, uris[0]) : null;
  if (manifest) {
    const copy = [
      `-- Redshift: load version ${partition.version} of ${partition.id} through its manifest`,
      `COPY ${partition.dataset}`,
      `FROM ${sqlString(manifest)}`,
      "IAM_ROLE 'arn:aws:iam::<account>:role/<role>'",
      'FORMAT AS PARQUET',
      'MANIFEST;',
    ].join('\n');
    blocks.push(copyBlock('Redshift COPY', copy));
  } else {
    blocks.push(h('p', {}, 'Redshift COPY: this partition has no complete version yet, so no manifest.'));
  }
  return blocks;
}
