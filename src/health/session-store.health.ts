import { Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PlatformMetrics } from '../metrics';
import { InjectSessionStore, MemorySessionStore, SessionStore } from '../session';
import { STORE_PING_TIMEOUT_MS } from './health.constants';
import { withTimeout } from './timeout';

/** The session store answers `ping()` in time (a Redis outage turns readiness 503). */
@Injectable()
export class SessionStoreHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @InjectSessionStore() private readonly store: SessionStore,
    @Optional() private readonly metrics?: PlatformMetrics,
  ) {}

  /** `memory` (one process) or `redis` (shared by every replica). */
  get kind(): 'memory' | 'redis' {
    return this.store instanceof MemorySessionStore ? 'memory' : 'redis';
  }

  async isReachable<const Key extends string>(key: Key, timeoutMs = STORE_PING_TIMEOUT_MS) {
    const indicator = this.health.check(key);
    const kind = this.kind;
    const ping = () => withTimeout(this.store.ping(), timeoutMs, 'session store ping');
    try {
      await (this.metrics ? this.metrics.storeOperation('ping', ping) : ping());
      return indicator.up({ store: kind });
    } catch (error) {
      return indicator.down({ store: kind, message: (error as Error).message });
    }
  }

  /** Live sessions, or null when the store does not answer in time. */
  async activeSessions(timeoutMs = STORE_PING_TIMEOUT_MS): Promise<number | null> {
    const count = () => withTimeout(this.store.count(), timeoutMs, 'session count');
    try {
      return await (this.metrics ? this.metrics.storeOperation('count', count) : count());
    } catch {
      return null;
    }
  }
}
