import type { S3Client } from '@aws-sdk/client-s3';
import type { Express } from 'express';
import type { KafkaClient } from '../source/kafka-client.js';
import { CommitLog } from '../commit/commit-log.js';
import type { CommitListener } from '../commit/commit-listener.js';
import type { TukangConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { DatasetCounters } from '../materializer/dataset-counters.js';
import type { Component } from '../core/component.js';
import type { ObjectStore } from '../storage/object-store.js';
import { LakeLayout } from '../lake/lake-layout.js';
import { createCatalogApp } from './app.js';
import { CatalogServer } from './catalog-server.js';
import type { CatalogContext, HealthCheck } from './context.js';
import { DeadLetterReader } from './lake/dead-letters.js';
import { KafkaLagProbe, WatermarkReader } from './lake/freshness.js';
import { LakeCatalog } from './lake/lake-catalog.js';
import { ParquetPreviewer } from './lake/parquet-preview.js';
import { S3Presigner } from './lake/presigner.js';
import { createMetrics } from './metrics.js';
import { kafkaBus, type ReplayBus } from '../replay/replay-bus.js';
import { ReplayManager } from '../replay/replay-manager.js';

export interface CatalogBuildDeps {
  config: TukangConfig;
  logger: Logger;
  store: ObjectStore;
  checks: HealthCheck[];
  /** For presigned URLs; without it `presign=true` adds nothing. */
  s3Client?: S3Client;
  /** For replays, and consumer lag unless `probeKafka` is given; without either, lag is null. */
  kafka?: KafkaClient;
  /** For consumer lag: a client with few retries (see createKafka), so a Kafka outage is noticed fast. */
  probeKafka?: KafkaClient;
  liveCounters?: ReadonlyMap<string, DatasetCounters>;
  clock?: () => number;
  /** What replays read from; defaults to `kafka`. Without either, replays cannot be started. */
  replayBus?: ReplayBus;
  /** Told when a replay switches a partition (the Iceberg committer beside the catalog). */
  commitListener?: CommitListener;
}

export interface BuiltCatalog {
  app: Express;
  lake: LakeCatalog;
  replays: ReplayManager;
  context: CatalogContext;
}

/** Wires the catalog from the config: index, readers, auth, metrics and the app. */
export function buildCatalog(deps: CatalogBuildDeps): BuiltCatalog {
  const { config, logger } = deps;
  const settings = config.catalog;
  const log = logger.child({ component: 'catalog' });
  const layout = new LakeLayout(config.s3.prefix);
  const lake = new LakeCatalog(
    deps.store,
    layout,
    config.datasets,
    { stateCacheSize: settings.cache.partition_states, refreshMs: settings.cache.refresh_interval, idleRefreshMs: settings.index.idle_refresh_interval, relistMs: settings.cache.relist_interval, settleMs: settings.cache.change_settle, snapshotMs: settings.index.snapshot_interval },
    log,
    deps.clock,
  );
  if (settings.auth.disabled) {
    log.warn('catalog.auth.disabled is true: the catalog serves every request without a token. For development only.');
  } else if (settings.auth.static_tokens.length === 0 && settings.auth.jwt === null) {
    log.warn('catalog auth has neither static tokens nor a JWT issuer: every request that needs a token is refused (401)');
  }
  const context: CatalogContext = {
    logger: log,
    settings,
    checks: deps.checks,
    lake,
    deadLetters: new DeadLetterReader(deps.store, config.s3.prefix, settings.cache.stats_ttl),
    previewer: new ParquetPreviewer(deps.store),
    watermarks: new WatermarkReader(new CommitLog(deps.store, layout, config.s3.bucket), settings.cache.stats_ttl),
    presigner: deps.s3Client ? new S3Presigner(deps.s3Client, config.s3.bucket, Math.round(settings.presign_expiry / 1000)) : undefined,
    lag: lagProbe(deps, settings.cache.stats_ttl),
    liveCounters: deps.liveCounters,
    replays: new ReplayManager({
      store: deps.store,
      layout,
      bucket: config.s3.bucket,
      bus: deps.replayBus ?? (deps.kafka ? kafkaBus(deps.kafka) : undefined),
      encodeWorkers: config.materializer.encode_workers,
      logger: logger.child({ component: 'replay' }),
      listener: deps.commitListener,
    }),
  };
  const metrics = createMetrics(lake, deps.liveCounters);
  const app = createCatalogApp({ context, metrics, store: deps.store, bucket: config.s3.bucket, iceberg: { s3: config.s3, iceberg: config.iceberg } });
  return { app, lake, replays: context.replays, context };
}

function lagProbe(deps: CatalogBuildDeps, ttlMs: number): KafkaLagProbe | undefined {
  const kafka = deps.probeKafka ?? deps.kafka;
  return kafka ? new KafkaLagProbe(kafka, deps.config.kafka.group_id, ttlMs) : undefined;
}

/**
 * The catalog as service components: the index first (it warms up), the replay runner (it marks
 * abandoned jobs failed before the API can list them), then the HTTP server. Stopped in reverse:
 * the server stops taking requests before running replays are cancelled.
 */
export function catalogComponents(deps: CatalogBuildDeps): Component[] {
  const built = buildCatalog(deps);
  return [built.lake, built.replays, new CatalogServer(built.app, deps.config.catalog.host, deps.config.catalog.port, deps.logger)];
}
