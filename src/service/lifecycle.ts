import type { Component } from '../core/component.js';
import type { Logger } from '../log/logger.js';
import { TukangError, describeError } from '../errors/catalogue.js';


/**
 * Starts components in order and stops them in reverse, once, within a deadline. A second signal
 * during shutdown does not restart it; the deadline turns a hang into a clear error.
 */
export class Lifecycle {
  private readonly started: Component[] = [];
  private stopping: Promise<void> | undefined;
  /** The start in progress; a stop waits for it, so a component that finishes starting is stopped too. */
  private starting: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly shutdownTimeoutMs: number,
  ) {}

  /** Starts components in order; a stop requested meanwhile ends the start-up before the next one. */
  async start(components: Component[]): Promise<void> {
    for (const component of components) {
      if (this.stopping) throw new TukangError('SHUTDOWN_REQUESTED', `shutdown requested before ${component.name} started`);
      this.logger.info({ component: component.name }, 'starting');
      // Set before start() runs: a signal handled inside it must already see the start in progress.
      let settle: () => void = () => undefined;
      this.starting = new Promise<void>((resolve) => (settle = resolve));
      try {
        await component.start();
        this.started.push(component);
      } finally {
        settle();
        this.starting = undefined;
      }
    }
  }

  stop(reason: string): Promise<void> {
    this.stopping ??= this.stopAll(reason);
    return this.stopping;
  }

  private async stopAll(reason: string): Promise<void> {
    this.logger.info({ reason }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TukangError('SHUTDOWN_TIMEOUT', `shutdown did not finish within ${this.shutdownTimeoutMs} ms`)),
        this.shutdownTimeoutMs,
      );
      timer.unref();
    });
    const work = (async () => {
      await this.starting;
      for (const component of [...this.started].reverse()) {
        try {
          await component.stop();
          this.logger.info({ component: component.name }, 'stopped');
        } catch (err) {
          this.logger.error({ component: component.name, err: describeError(err) }, 'stop failed');
        }
      }
    })();
    try {
      await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Resolves with the first of SIGINT or SIGTERM. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
