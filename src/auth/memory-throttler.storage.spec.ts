import { MemoryThrottlerStorage } from './memory-throttler.storage';

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
});
