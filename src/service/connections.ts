import { TukangError, describeError } from '../errors/catalogue.js';
import { describeCluster } from '../source/kafka-admin.js';
import type { KafkaClient } from '../source/kafka-client.js';
import type { S3ObjectStore } from '../storage/s3-object-store.js';
import type { Component } from '../core/component.js';
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

/**
 * Checks at start-up, and on each health probe, that the Kafka cluster answers. Start-up uses the
 * service's client (it retries for about a minute); probes use `probe`, a client with few
 * retries, so that an outage answers "down" within seconds, not after a minute.
 */
export class KafkaCluster implements Component, HealthCheck {
  readonly name = 'kafka';
  constructor(
    private readonly kafka: KafkaClient,
    private readonly probe: KafkaClient = kafka,
  ) {}
  async start(): Promise<void> {
    await this.reach(this.kafka);
  }
  async stop(): Promise<void> {}
  async check(): Promise<void> {
    await this.reach(this.probe);
  }
  private async reach(kafka: KafkaClient): Promise<void> {
    try {
      await describeCluster(kafka);
    } catch (err) {
      throw new TukangError('KAFKA_UNAVAILABLE', `Kafka is not reachable: ${describeError(err)}`, { cause: err });
    }
  }
}
