import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** A rate-limit storage that counts several hits in one step (a batch's calls). */
export interface WeightedThrottlerStorage extends ThrottlerStorage {
  readonly weighted: true;
  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string, cost?: number): Promise<ThrottlerStorageRecord>;
}

function isWeighted(storage: ThrottlerStorage): storage is WeightedThrottlerStorage {
  return (storage as Partial<WeightedThrottlerStorage>).weighted === true;
}

/**
 * Counts `cost` hits: in one step on the platform's storages, hit by hit on a storage of the
 * host's own (`AuthModule.forRoot({ throttlerStorage })`; a batch is at most `maxBatchSize`).
 */
export async function incrementBy(
  storage: ThrottlerStorage,
  cost: number,
  ...[key, ttl, limit, blockDuration, throttlerName]: Parameters<ThrottlerStorage['increment']>
): Promise<ThrottlerStorageRecord> {
  if (isWeighted(storage)) return storage.increment(key, ttl, limit, blockDuration, throttlerName, cost);
  // A host's own storage gets ThrottlerStorage's five arguments, nothing more.
  let record = await storage.increment(key, ttl, limit, blockDuration, throttlerName);
  for (let hit = 1; hit < cost && !record.isBlocked; hit++) record = await storage.increment(key, ttl, limit, blockDuration, throttlerName);
  return record;
}
