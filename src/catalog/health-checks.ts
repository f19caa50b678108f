import { isTukangError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { HealthCheck } from './context.js';

/** A probe answers within this, whatever its dependencies do (orchestrators time out at 2 s and more). */
export const HEALTH_DEADLINE_MS = 1_500;

export interface CheckResult {
  name: string;
  status: 'up' | 'down';
  /** A stable code (`KAFKA_UNAVAILABLE`, `TIMEOUT`): health is open to everyone, so no hosts or messages. */
  detail?: string;
}

/**
 * Runs the dependency checks for /health with a deadline each. A check still running from an
 * earlier probe is joined rather than started again, so a dependency that hangs (Kafka
 * unreachable: the client retries for a minute) costs one attempt at a time, not one per probe.
 * What failed is logged in full; the answer names only the check and a code.
 */
export class HealthChecks {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly checks: readonly HealthCheck[],
    private readonly logger: Logger,
    private readonly deadlineMs = HEALTH_DEADLINE_MS,
  ) {}

  run(): Promise<CheckResult[]> {
    return Promise.all(this.checks.map((c) => this.runOne(c)));
  }

  private async runOne(check: HealthCheck): Promise<CheckResult> {
    let attempt = this.running.get(check.name);
    if (!attempt) {
      attempt = check.check();
      this.running.set(check.name, attempt);
      const done = (): void => {
        if (this.running.get(check.name) === attempt) this.running.delete(check.name);
      };
      attempt.then(done, done);
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.deadlineMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([attempt.then(() => 'up' as const), deadline]);
      if (outcome === 'timeout') {
        this.logger.warn({ check: check.name, deadline_ms: this.deadlineMs }, 'health check did not answer in time');
        return { name: check.name, status: 'down', detail: 'TIMEOUT' };
      }
      return { name: check.name, status: 'up' };
    } catch (err) {
      this.logger.warn({ check: check.name, err: err instanceof Error ? err.message : String(err) }, 'health check failed');
      return { name: check.name, status: 'down', detail: isTukangError(err) ? err.code : 'FAILED' };
    } finally {
      clearTimeout(timer);
    }
  }
}
