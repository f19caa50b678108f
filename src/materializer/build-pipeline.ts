import { createDecoder } from '../cleansing/decode.js';
import type { CommitLog } from '../commit/commit-log.js';
import type { DatasetConfig } from '../config/schema.js';
import type { ResolvedSchema } from '../core/resolved-schema.js';
import type { LakeLayout } from '../lake/lake-layout.js';
import type { Logger } from '../log/logger.js';
import type { ObjectStore } from '../storage/object-store.js';
import { FileFlusher } from '../writing/file-flusher.js';
import type { ParquetEncoderPool } from '../writing/parquet/encoder-pool.js';
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
}

/** A dataset's pipeline: its decoder and file flusher over the shared parts, plus optional settings. */
export function buildPipeline(parts: PipelineParts, options: Partial<Omit<PipelineDeps, keyof PipelineParts | 'decode' | 'flusher'>> = {}): DatasetPipeline {
  const { dataset, schema, encoder, store, commitLog, layout, logger } = parts;
  const flusher = new FileFlusher(dataset, schema, encoder, store, commitLog, layout);
  return new DatasetPipeline({ dataset, schema, decode: createDecoder(dataset, schema), store, commitLog, layout, flusher, logger, ...options });
}
