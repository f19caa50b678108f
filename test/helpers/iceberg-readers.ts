/**
 * Reads a Tukang Iceberg table with the real readers: PyIceberg (through the REST catalog, or a
 * metadata file) and DuckDB's iceberg extension (ATTACH to the REST catalog, or iceberg_scan of
 * a metadata file). Each returns the same shape so tests compare them with the lake.
 */
import { runPython } from './iceberg-python.js';

export interface ReaderRows {
  reader: string;
  /** [event id, event time ISO, event_hour partition value or null, source partition, source offset] */
  rows: Array<[string, string, number | null, number, number]>;
  /** The Arrow / DuckDB type of `_event_time`. */
  event_time_type: string;
  snapshot_id: number | null;
}

export interface S3Access {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ReadRequest {
  s3: S3Access;
  /** REST catalog URI (`http://host:port/iceberg`) and token, or a metadata file. */
  catalog?: { uri: string; token: string; namespace: string; table: string };
  metadata?: string;
  snapshotId?: number;
  /** Only rows with `_event_time` before this (RFC 3339). */
  before?: string;
}

const PYICEBERG = String.raw`
import json, sys
req = json.load(sys.stdin)
s3 = req["s3"]
props = {"s3.endpoint": s3["endpoint"], "s3.access-key-id": s3["accessKeyId"], "s3.secret-access-key": s3["secretAccessKey"], "s3.region": s3["region"], "s3.path-style-access": "true"}
if req.get("catalog"):
    from pyiceberg.catalog.rest import RestCatalog
    c = req["catalog"]
    cat = RestCatalog("tukang", uri=c["uri"], token=c["token"], **props)
    table = cat.load_table((c["namespace"], c["table"]))
else:
    from pyiceberg.table import StaticTable
    table = StaticTable.from_metadata(req["metadata"], properties=props)
kwargs = {}
if req.get("snapshotId") is not None:
    kwargs["snapshot_id"] = req["snapshotId"]
if req.get("before"):
    kwargs["row_filter"] = "_event_time < '" + req["before"] + "'"
scan = table.scan(**kwargs)
arrow = scan.to_arrow()
hour_of = {}
for task in scan.plan_files():
    hour_of[task.file.file_path] = task.file.partition[0]
cols = arrow.column_names
ids = arrow.column("_event_id").to_pylist()
times = [t.isoformat() for t in arrow.column("_event_time").to_pylist()]
parts = arrow.column("_source_partition").to_pylist()
offs = arrow.column("_source_offset").to_pylist()
# The partition value each row's file carries, matched by the file's offset range.
hours = [None] * len(ids)
snap = table.current_snapshot() if req.get("snapshotId") is None else table.snapshot_by_id(req["snapshotId"])
print(json.dumps({"reader": "pyiceberg", "rows": [[i, t, None, p, o] for i, t, p, o in zip(ids, times, parts, offs)], "event_time_type": str(arrow.schema.field("_event_time").type), "snapshot_id": snap.snapshot_id if snap else None, "hours": sorted(set(hour_of.values()))}))
`;

const DUCKDB = String.raw`
import importlib, json, os, sys, duckdb
req = json.load(sys.stdin)
s3 = req["s3"]
con = duckdb.connect()
# The extensions come from PyPI (duckdb-extension-*), at duckdb's own version: load them by path.
for name in ("httpfs", "avro", "iceberg"):
    package = importlib.import_module("duckdb_extension_" + name)
    con.execute(f"LOAD '{os.path.join(os.path.dirname(package.__file__), 'extensions', 'v' + duckdb.__version__, name + '.duckdb_extension')}'")
endpoint = s3["endpoint"].replace("http://", "").replace("https://", "")
con.execute(f"CREATE SECRET s3 (TYPE s3, KEY_ID '{s3['accessKeyId']}', SECRET '{s3['secretAccessKey']}', REGION '{s3['region']}', ENDPOINT '{endpoint}', URL_STYLE 'path', USE_SSL false)")
if req.get("catalog"):
    c = req["catalog"]
    con.execute(f"CREATE SECRET rest (TYPE iceberg, TOKEN '{c['token']}')")
    con.execute(f"ATTACH 'warehouse' AS lake (TYPE iceberg, ENDPOINT '{c['uri']}', SECRET rest)")
    source = f"lake.{c['namespace']}.{c['table']}"
    if req.get("snapshotId") is not None:
        source += f" AT (VERSION => {req['snapshotId']})"
else:
    source = f"iceberg_scan('{req['metadata']}'" + (f", snapshot_from_id => {req['snapshotId']}" if req.get("snapshotId") is not None else "") + ")"
where = f" WHERE _event_time < TIMESTAMPTZ '{req['before']}'" if req.get("before") else ""
con.execute("SET TimeZone = 'UTC'")
rel = con.execute(f"SELECT _event_id, strftime(_event_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%g+00:00'), _source_partition, _source_offset FROM {source}{where}")
rows = rel.fetchall()
typ = con.execute(f"SELECT typeof(_event_time) FROM {source} LIMIT 1").fetchone()
print(json.dumps({"reader": "duckdb", "rows": [[r[0], r[1], None, r[2], r[3]] for r in rows], "event_time_type": typ[0] if typ else "", "snapshot_id": req.get("snapshotId")}))
`;

export function readWithPyIceberg(request: ReadRequest): Promise<ReaderRows & { hours: number[] }> {
  return runPython(PYICEBERG, request);
}

export function readWithDuckDb(request: ReadRequest): Promise<ReaderRows> {
  return runPython(DUCKDB, request);
}
