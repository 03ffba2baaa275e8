import { MemoryEventStore } from './memory-event.store';

describe(MemoryEventStore.name, () => {
  let now: number;
  let sut: MemoryEventStore;

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryEventStore({ maxEventsPerStream: 3, openTtlSeconds: 60, completedTtlSeconds: 300 }, () => now);
  });

  afterEach(() => sut.onApplicationShutdown());

  it('replays what came after a cursor, in order, and says whether the stream ended', async () => {
    const first = await sut.append('s/a', { n: 1 });
    await sut.append('s/a', { n: 2 });
    await sut.complete('s/a');
    expect(await sut.after(first)).toEqual({ streamKey: 's/a', completed: true, events: [{ id: 's/a#1', message: { n: 2 } }] });
  });

  it('keeps a bounded number of events and refuses a cursor from before them', async () => {
    for (let n = 0; n < 5; n += 1) await sut.write('s/b', [{ sequence: n, message: { n } }]);
    expect(await sut.after('s/b#0')).toBeUndefined();
    expect((await sut.after('s/b#1'))?.events.map((event) => event.message.n)).toEqual([2, 3, 4]);
  });

  it('writes a batch of numbered events and ends the stream with it, telling followers in order', async () => {
    const seen: unknown[] = [];
    await sut.subscribe('s/w', (event) => seen.push(event === 'complete' ? event : event.message));
    const batch = [
      { sequence: 0, message: { n: 0 } },
      { sequence: 1, message: { n: 1 } },
    ];
    await sut.write('s/w', batch, { ttlSeconds: 10 });
    expect(seen).toEqual([{ n: 0 }, { n: 1 }, 'complete']);
    expect(await sut.after('s/w#0')).toEqual({ streamKey: 's/w', completed: true, events: [{ id: 's/w#1', message: { n: 1 } }] });
    now += 11_000;
    expect(await sut.after('s/w#0')).toBeUndefined();
  });

  it('keeps an ended stream for completedTtlSeconds by default', async () => {
    await sut.write('s/c', [{ sequence: 0, message: { n: 0 } }]);
    await sut.complete('s/c');
    now += 299_000;
    expect(await sut.after('s/c#0')).toBeDefined();
    now += 2_000;
    expect(await sut.after('s/c#0')).toBeUndefined();
  });

  it('drops a stream delivered whole after the shorter TTL it was completed with', async () => {
    await sut.write('s/d', [{ sequence: 0, message: { n: 0 } }]);
    await sut.write('s/d', [{ sequence: 1, message: { n: 1 } }]);
    await sut.complete('s/d', 10);
    now += 9_000;
    expect(await sut.after('s/d#0')).toBeDefined();
    now += 2_000;
    expect(await sut.after('s/d#0')).toBeUndefined();
  });

  it('tells followers about new events and the end, and drops a session’s streams', async () => {
    const seen: unknown[] = [];
    await sut.subscribe('s/e', (event) => seen.push(event === 'complete' ? event : event.message));
    await sut.append('s/e', { n: 0 });
    await sut.complete('s/e');
    expect(seen).toEqual([{ n: 0 }, 'complete']);
    await sut.append('t/x', { n: 0 });
    await sut.deleteSession('t');
    expect(await sut.after('t/x#0')).toBeUndefined();
  });
});
