import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { StoreUnavailableError } from '../session/session-store.exception';
import { WeightedThrottlerStorage, incrementBy } from './weighted-throttler.storage';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** What a rate limit does when its counters cannot be reached (a Redis outage). */
export type StoreErrorPolicy = 'open' | 'closed';

/** Warn at most this often while the store stays unreachable. */
const WARN_EVERY_MS = 10_000;

/**
 * Wraps the rate-limit storage so an outage of its store is an answer, not a 500: `closed`
 * refuses (503 with a JSON-RPC error, as for the session store), `open` lets the request
 * through uncounted and says so in the log.
 */
export class FailSafeThrottlerStorage implements WeightedThrottlerStorage {
  readonly weighted = true;
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(
    private readonly storage: ThrottlerStorage,
    private readonly policy: StoreErrorPolicy,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string, cost = 1): Promise<ThrottlerStorageRecord> {
    try {
      return await incrementBy(this.storage, cost, key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      if (this.policy === 'closed') throw new StoreUnavailableError('rate limiting', error, 'rate-limit store');
      const now = Date.now();
      if (now - this.lastWarning >= WARN_EVERY_MS) {
        this.lastWarning = now;
        this.logger.warn({ msg: 'rate-limit store unreachable: requests pass uncounted (rateLimit.onStoreError: open)', error: (error as Error).message });
      }
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
