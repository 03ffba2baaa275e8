import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { RedisClient } from '../redis/redis.connection';
import type { WeightedThrottlerStorage } from './weighted-throttler.storage';

/**
 * Counts a hit in a fixed window and blocks past the limit, atomically, so a limit holds
 * for the whole fleet. KEYS: hits, block. ARGV: ttl ms, limit, block ms, cost (hits to count).
 * Returns hits, ms to window end, blocked (0/1), ms to block end.
 */
const INCREMENT_SCRIPT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[4])
if hits == tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then return {hits, ttl, 1, blockTtl} end
if hits > tonumber(ARGV[2]) then
  local block = tonumber(ARGV[3])
  if block > 0 then redis.call('SET', KEYS[2], '1', 'PX', block) else block = ttl end
  return {hits, ttl, 1, block}
end
return {hits, ttl, 0, 0}`;

/** `@nestjs/throttler` storage in Redis (ioredis, one script per hit): limits are fleet-wide. */
export class RedisThrottlerStorage implements WeightedThrottlerStorage {
  readonly weighted = true;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string, cost = 1): Promise<ThrottlerStorageRecord> {
    // One hash tag per tracker: both keys in one Cluster slot.
    const base = `${this.prefix}rl:{${throttlerName}:${key}}`;
    const [hits, ttlMs, blocked, blockMs] = (await this.redis.eval(
      INCREMENT_SCRIPT,
      2,
      `${base}:hits`,
      `${base}:block`,
      ttl,
      limit,
      blockDuration,
      cost,
    )) as number[];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(ttlMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockMs / 1000),
    };
  }
}
