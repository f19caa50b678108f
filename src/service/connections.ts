import type { Kafka } from 'kafkajs';
import { TukangError, describeError } from '../errors/catalogue.js';
import type { S3ObjectStore } from '../storage/s3-object-store.js';
import type { Component } from './lifecycle.js';
import type { HealthCheck } from '../catalog/app.js';

/** Checks at start-up that the lake bucket is reachable (creating it when configured to). */
export class LakeBucket implements Component, HealthCheck {
  readonly name = 's3';
  constructor(
    private readonly store: S3ObjectStore,
    private readonly create: boolean,
  ) {}
  async start(): Promise<void> {
    await this.store.ensureBucket(this.create);
  }
  async stop(): Promise<void> {}
  async check(): Promise<void> {
    await this.store.list('', { maxKeys: 1 });
  }
}

/** Checks at start-up, and on each health probe, that the Kafka cluster answers. */
export class KafkaCluster implements Component, HealthCheck {
  readonly name = 'kafka';
  constructor(private readonly kafka: Kafka) {}
  async start(): Promise<void> {
    await this.check();
  }
  async stop(): Promise<void> {}
  async check(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (err) {
      throw new TukangError('KAFKA_UNAVAILABLE', `Kafka is not reachable: ${describeError(err)}`, { cause: err });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
