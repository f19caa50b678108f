import type { TukangConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { catalogComponents } from '../catalog/build-catalog.js';
import type { DatasetCounters } from '../materializer/dataset-counters.js';
import { createKafka } from '../source/kafka-client.js';
import { createS3Client, S3ObjectStore } from '../storage/s3-object-store.js';
import { KafkaCluster, LakeBucket } from './connections.js';
import type { Component } from '../core/component.js';
import { Materializer } from '../materializer/materializer.js';
import { resolveSchema } from '../cleansing/schema/resolve-schema.js';
import { IcebergCommitter } from '../iceberg/iceberg-committer.js';
import { GcService } from '../replay/gc-service.js';
import { LakeLayout } from '../lake/lake-layout.js';

/** Health checks and consumer lag try Kafka twice per probe; the next probe tries again. */
const PROBE_RETRIES = 1;

/** Wires the service's components from the config, in start order. */
export function buildService(config: TukangConfig, logger: Logger): Component[] {
  const s3Client = createS3Client(config.s3);
  const store = new S3ObjectStore(s3Client, config.s3.bucket);
  const bucket = new LakeBucket(store, config.s3.create_bucket);
  const kafkaClient = createKafka(config.kafka, logger);
  const probeKafka = createKafka(config.kafka, logger, '-probe', PROBE_RETRIES);
  const kafka = new KafkaCluster(kafkaClient, probeKafka);
  const iceberg = icebergCommitter(config, store, logger);
  const materializer = new Materializer(config, kafkaClient, store, logger.child({ component: 'materializer' }), iceberg);
  const datasets = config.datasets.flatMap((d) => (d.late_data === 'side_table' ? [d.name, `${d.name}_late`] : [d.name]));
  const gc = new GcService(store, new LakeLayout(config.s3.prefix), { bucket: config.s3.bucket, datasets, retentionMs: config.replay.retention, intervalMs: config.replay.gc_interval }, logger.child({ component: 'gc' }));
  // The Iceberg committer starts before the materializer and stops after it, so its last commits reach a snapshot.
  const components: Component[] = iceberg ? [bucket, kafka, iceberg, materializer, gc] : [bucket, kafka, materializer, gc];
  if (config.catalog.enabled) {
    // The catalog beside the materializer also reports its in-process counters (since start-up).
    const liveCounters = new Map<string, DatasetCounters>();
    for (const d of config.datasets) {
      const pipeline = materializer.pipelines.get(d.topic);
      if (pipeline) liveCounters.set(d.name, pipeline.counters);
    }
    components.push(
      ...catalogComponents({ config, logger, store, checks: [bucket, kafka], s3Client, kafka: kafkaClient, probeKafka, liveCounters, ...(iceberg ? { commitListener: iceberg } : {}) }),
    );
  }
  return components;
}

function icebergCommitter(config: TukangConfig, store: S3ObjectStore, logger: Logger): IcebergCommitter | undefined {
  if (!config.iceberg.enabled) return undefined;
  const datasets = config.datasets.map((dataset) => ({ dataset, schema: resolveSchema(dataset) }));
  return new IcebergCommitter({ config, datasets, store, layout: new LakeLayout(config.s3.prefix), logger: logger.child({ component: 'iceberg' }) });
}

/**
 * The catalog alone (`tukang catalog`), for read replicas: it needs the bucket; Kafka only for
 * readiness and consumer lag, so a Kafka outage does not stop it from serving the lake.
 */
export function buildCatalogService(config: TukangConfig, logger: Logger): Component[] {
  const s3Client = createS3Client(config.s3);
  const store = new S3ObjectStore(s3Client, config.s3.bucket);
  const bucket = new LakeBucket(store, config.s3.create_bucket);
  const kafkaClient = createKafka(config.kafka, logger);
  const probeKafka = createKafka(config.kafka, logger, '-probe', PROBE_RETRIES);
  const kafka = new KafkaCluster(kafkaClient, probeKafka);
  // Replays started through this replica's API reach the Iceberg tables at once.
  const iceberg = icebergCommitter(config, store, logger);
  const catalog = catalogComponents({ config, logger, store, checks: [bucket, kafka], s3Client, kafka: kafkaClient, probeKafka, ...(iceberg ? { commitListener: iceberg } : {}) });
  return iceberg ? [bucket, iceberg, ...catalog] : [bucket, ...catalog];
}
