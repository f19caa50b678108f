import type { TukangConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { DatasetCounters } from '../materializer/dataset-counters.js';
import type { DeadLetterReader } from './lake/dead-letters.js';
import type { LagProbe, WatermarkReader } from './lake/freshness.js';
import type { LakeCatalog } from './lake/lake-catalog.js';
import type { ParquetPreviewer } from './lake/parquet-preview.js';
import type { Presigner } from './lake/presigner.js';
import type { ReplayManager } from '../replay/replay-manager.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

/** Everything the catalog's routes read; built by the service (or a test) and passed to the app. */
export interface CatalogContext {
  logger: Logger;
  settings: TukangConfig['catalog'];
  checks: HealthCheck[];
  lake: LakeCatalog;
  deadLetters: DeadLetterReader;
  previewer: ParquetPreviewer;
  watermarks: WatermarkReader;
  presigner: Presigner | undefined;
  lag: LagProbe | undefined;
  /** In-process materializer counters by dataset name, when the catalog runs beside it. */
  liveCounters: ReadonlyMap<string, DatasetCounters> | undefined;
  /** Replay jobs: started, listed and cancelled through the API. */
  replays: ReplayManager;
}
