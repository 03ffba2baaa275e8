import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { incrementBy } from './weighted-throttler.storage';

describe(MemoryThrottlerStorage.name, () => {
  let now: number;
  let sut: MemoryThrottlerStorage;

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryThrottlerStorage(() => now);
  });

  afterEach(() => sut.onApplicationShutdown());

  it('counts hits in a window and blocks past the limit until the block ends', async () => {
    const results = [];
    for (let hit = 0; hit < 4; hit += 1) results.push(await sut.increment('k', 60_000, 3, 60_000, 'default'));
    expect(results.map((result) => result.isBlocked)).toEqual([false, false, false, true]);
    expect(results[3].timeToBlockExpire).toBe(60);
    now += 59_000;
    expect((await sut.increment('k', 60_000, 3, 60_000, 'default')).isBlocked).toBe(true);
    now += 2_000;
    expect(await sut.increment('k', 60_000, 3, 60_000, 'default')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('keeps throttlers and keys apart', async () => {
    await sut.increment('a', 60_000, 1, 60_000, 'default');
    expect((await sut.increment('b', 60_000, 1, 60_000, 'default')).isBlocked).toBe(false);
    expect((await sut.increment('a', 60_000, 1, 60_000, 'tenant')).isBlocked).toBe(false);
    expect((await sut.increment('a', 60_000, 1, 60_000, 'default')).isBlocked).toBe(true);
  });

  it('reports the time left in the window', async () => {
    await sut.increment('k', 10_000, 5, 10_000, 'default');
    now += 4_000;
    expect((await sut.increment('k', 10_000, 5, 10_000, 'default')).timeToExpire).toBe(6);
  });

  it('counts several hits at once (a batch’s calls)', async () => {
    expect(await sut.increment('k', 60_000, 10, 60_000, 'default', 8)).toMatchObject({ totalHits: 8, isBlocked: false });
    expect(await sut.increment('k', 60_000, 10, 60_000, 'default', 3)).toMatchObject({ totalHits: 11, isBlocked: true });
  });
});

describe(incrementBy.name, () => {
  it('counts hit by hit on a storage without weights, stopping once blocked', async () => {
    const hits: number[] = [];
    let total = 0;
    const foreign = {
      increment: async (_key: string, _ttl: number, limit: number) => {
        total += 1;
        hits.push(total);
        return { totalHits: total, timeToExpire: 60, isBlocked: total > limit, timeToBlockExpire: total > limit ? 60 : 0 };
      },
    };
    expect(await incrementBy(foreign, 5, 'k', 60_000, 3, 0, 'default')).toMatchObject({ totalHits: 4, isBlocked: true });
    expect(hits).toEqual([1, 2, 3, 4]);
  });
});
