import { createDecoder } from '../cleansing/decode.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { DatasetConfig } from '../config/schema.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { Logger } from '../log/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import { FileFlusher } from '../writing/file-flusher.js';
import type { ParquetEncoderPool } from '../writing/parquet/encoder-pool.js';
import { InProcessRowStore } from '../writing/rows/in-process-row-store.js';
import type { RowStore } from '../writing/rows/row-store.js';
import type { RowWorkerPool } from '../writing/rows/worker-row-store.js';
import { DatasetPipeline, type PipelineDeps } from './dataset-pipeline.js';

/** What every pipeline of a process shares, and its dataset. */
export interface PipelineParts {
  dataset: DatasetConfig;
  schema: ResolvedSchema;
  encoder: Pick<ParquetEncoderPool, 'encode'>;
  store: ObjectStore;
  commitLog: CommitLog;
  layout: LakeLayout;
  logger: Logger;
  /** Decode, keep values and encode in these worker threads; without, on the main thread with `encoder`. */
  rowWorkers?: Pick<RowWorkerPool, 'storeFor'>;
}

/** The row store of a dataset: in the row workers when there are any, else in-process. */
export function rowStoreFor(parts: PipelineParts): RowStore {
  const { dataset, schema, encoder, rowWorkers } = parts;
  return rowWorkers ? rowWorkers.storeFor(dataset, schema) : new InProcessRowStore(dataset, schema, createDecoder(dataset, schema), encoder);
}

/** A dataset's pipeline: its row store and file flusher over the shared parts, plus optional settings. */
export function buildPipeline(parts: PipelineParts, options: Pick<PipelineDeps, 'reread'> & Partial<Omit<PipelineDeps, keyof PipelineParts | 'rows' | 'flusher'>>): DatasetPipeline {
  const { dataset, schema, store, commitLog, layout, logger } = parts;
  const rows = rowStoreFor(parts);
  const flusher = new FileFlusher(dataset, schema, rows, store, commitLog, layout);
  return new DatasetPipeline({ dataset, schema, rows, store, commitLog, layout, flusher, logger, ...options });
}
