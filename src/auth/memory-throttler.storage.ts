import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { WeightedThrottlerStorage } from './weighted-throttler.storage';

interface Window {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

/**
 * Fixed-window counters in this process, with the same semantics as the Redis storage:
 * constant work per hit. (`@nestjs/throttler`'s own storage keeps one timestamp per hit and
 * filters them all on every request, which grows with the limit.)
 */
export class MemoryThrottlerStorage implements WeightedThrottlerStorage, OnApplicationShutdown {
  readonly weighted = true;
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 10_000);
    this.sweeper.unref();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string, cost = 1): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window || window.expiresAt <= now) {
      window = { hits: 0, expiresAt: now + ttl, blockedUntil: window && window.blockedUntil > now ? window.blockedUntil : 0 };
      this.windows.set(id, window);
    }
    window.hits += cost;
    if (window.blockedUntil <= now && window.hits > limit) {
      window.blockedUntil = blockDuration > 0 ? now + blockDuration : window.expiresAt;
    }
    const blocked = window.blockedUntil > now;
    return {
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.expiresAt - now) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, window] of this.windows) {
      if (window.expiresAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }
}
