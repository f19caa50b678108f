/**
 * A row worker thread: decodes and validates the batches of the source partitions it owns,
 * keeps the buffered rows' values, and encodes files from them (Arrow columns, then parquet-wasm
 * with the same code as the encode worker). The main thread sends placements and row orders;
 * messages arrive in the order they were posted, so a batch is always placed before any encode
 * of the buffers it fed.
 */
import { parentPort } from 'node:worker_threads';
import { createDecoder, type RecordDecoder } from '../../cleansing/decode.js';
import type { ResolvedSchema } from '../../core/resolved-schema.js';
import { decodeRecords } from '../../buffering/decode-batch.js';
import { PartitionPaths } from '../../buffering/partition-paths.js';
import { RowValues } from '../../buffering/row-values.js';
import { rowBatchToIPC } from '../parquet/arrow-columns.js';
import { serializeError } from '../parquet/encode-protocol.js';
import { runEncodeJob } from '../parquet/encode-job.js';
import { unpackRecords, type RowWorkerRequest, type RowWorkerResponse } from './row-worker-protocol.js';

interface DatasetRows {
  schema: ResolvedSchema;
  decode: RecordDecoder;
  paths: PartitionPaths;
  values: RowValues;
  /** The pipeline clock of the batch being decoded: event-time bounds are judged by it. */
  nowMs: number;
}

const stores = new Map<number, DatasetRows>();

function storeOf(storeId: number): DatasetRows {
  const store = stores.get(storeId);
  if (store === undefined) throw new Error(`row worker: no dataset was registered as store ${storeId}`);
  return store;
}

function send(response: RowWorkerResponse, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(response, transfer);
}

function handle(request: RowWorkerRequest): void {
  switch (request.kind) {
    case 'init': {
      const store: DatasetRows = {
        schema: request.schema,
        decode: () => {
          throw new Error('unreachable');
        },
        paths: new PartitionPaths(request.dataset, request.schema),
        values: new RowValues(request.schema.columns),
        nowMs: 0,
      };
      store.decode = createDecoder(request.dataset, request.schema, () => store.nowMs);
      stores.set(request.storeId, store);
      return;
    }
    case 'decode': {
      const store = storeOf(request.storeId);
      store.nowMs = request.nowMs;
      const records = unpackRecords(request.records, request.sourcePartition);
      const { summary, values } = decodeRecords(records, store.decode, store.paths, request.batchId, request.sourcePartition);
      store.values.hold(request.batchId, values);
      send({ kind: 'decoded', jobId: request.jobId, batch: summary }, [summary.pathIndex.buffer, summary.eventTimeMs.buffer] as ArrayBuffer[]);
      return;
    }
    case 'place':
      storeOf(request.storeId).values.place(request.batchId, request.placements);
      return;
    case 'free':
      storeOf(request.storeId).values.free(request.rowsIds);
      return;
    case 'encode':
      encode(storeOf(request.storeId), request);
      return;
  }
}

function encode(store: DatasetRows, request: Extract<RowWorkerRequest, { kind: 'encode' }>): void {
  const { jobId, order } = request;
  let ipc: Uint8Array;
  try {
    const values = store.values.rows(request.rowsId, order);
    ipc = rowBatchToIPC({ columns: store.schema.columns, values, lineage: request.lineage, rowCount: order.length });
  } catch (err) {
    send({ kind: 'encoded', jobId, ok: false, stage: err instanceof RangeError ? 'rows' : 'arrow', error: serializeError(err), fatal: false });
    return;
  }
  const { response, transfer } = runEncodeJob({ jobId, ipc, options: request.options });
  if (response.ok) send({ kind: 'encoded', jobId, ok: true, bytes: response.bytes, sha256: response.sha256 }, transfer);
  else send({ kind: 'encoded', jobId, ok: false, stage: 'parquet', error: response.error, fatal: response.fatal });
}

parentPort?.on('message', (request: RowWorkerRequest) => {
  try {
    handle(request);
  } catch (err) {
    send({ kind: 'failed', jobId: 'jobId' in request ? request.jobId : 0, error: serializeError(err) });
  }
});
