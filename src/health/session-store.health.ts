import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PlatformMetrics } from '../metrics';
import { McpPorts } from '../mcp/mcp.ports';
import { MemorySessionStore, SessionStore } from '../session';
import { STORE_PING_TIMEOUT_MS } from './health.constants';
import { withTimeout } from './timeout';

/** The session store answers `ping()` in time (a Redis outage turns readiness 503). */
@Injectable()
export class SessionStoreHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Optional() @Inject(SessionStore) provided?: SessionStore,
    @Optional() ports?: McpPorts,
    @Optional() private readonly metrics?: PlatformMetrics,
  ) {
    // SessionModule's store, else the one McpModule keeps in memory; none without either.
    this.store = provided ?? ports?.sessions;
  }

  private readonly store?: SessionStore;

  /** `memory` (one process) or `redis` (shared by every replica). */
  get kind(): 'memory' | 'redis' {
    return this.store === undefined || this.store instanceof MemorySessionStore ? 'memory' : 'redis';
  }

  async isReachable<const Key extends string>(key: Key, timeoutMs = STORE_PING_TIMEOUT_MS) {
    const indicator = this.health.check(key);
    const kind = this.kind;
    const store = this.store;
    if (!store) return indicator.up({ store: 'none' });
    const ping = () => withTimeout(store.ping(), timeoutMs, 'session store ping');
    try {
      await (this.metrics ? this.metrics.storeOperation('ping', ping) : ping());
      return indicator.up({ store: kind });
    } catch (error) {
      return indicator.down({ store: kind, message: (error as Error).message });
    }
  }

  /** Live sessions, or null when the store does not answer in time. */
  async activeSessions(timeoutMs = STORE_PING_TIMEOUT_MS): Promise<number | null> {
    const store = this.store;
    if (!store) return null;
    const count = () => withTimeout(store.count(), timeoutMs, 'session count');
    try {
      return await (this.metrics ? this.metrics.storeOperation('count', count) : count());
    } catch {
      return null;
    }
  }
}
