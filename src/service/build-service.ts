import type { TukangConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createCatalogApp } from '../catalog/app.js';
import { CatalogServer } from '../catalog/catalog-server.js';
import { createKafka } from '../source/kafka-client.js';
import { createS3Client, S3ObjectStore } from '../storage/s3-object-store.js';
import { KafkaCluster, LakeBucket } from './connections.js';
import type { Component } from './lifecycle.js';
import { Materializer } from '../materializer/materializer.js';

/** Wires the service's components from the config, in start order. */
export function buildService(config: TukangConfig, logger: Logger): Component[] {
  const store = new S3ObjectStore(createS3Client(config.s3), config.s3.bucket);
  const bucket = new LakeBucket(store, config.s3.create_bucket);
  const kafkaClient = createKafka(config.kafka, logger);
  const kafka = new KafkaCluster(kafkaClient);
  const materializer = new Materializer(config, kafkaClient, store, logger.child({ component: 'materializer' }));
  const components: Component[] = [bucket, kafka, materializer];
  if (config.catalog.enabled) {
    const app = createCatalogApp({ logger, checks: [bucket, kafka] });
    components.push(new CatalogServer(app, config.catalog.host, config.catalog.port, logger));
  }
  return components;
}
