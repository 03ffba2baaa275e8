import { Redis } from 'ioredis';
import { McpSession } from '../src/session';
import { RedisMessageBus } from '../src/session/redis/redis-message.bus';
import { RedisEventStore } from '../src/session/redis/redis-event.store';
import { RedisSessionStore } from '../src/session/redis/redis-session.store';
import { createRedisClient } from '../src/redis/redis.connection';
import { StoreUnavailableError } from '../src/session/session-store.exception';
import { RedisServer, startRedis } from './helpers/redis';
import { waitFor } from './helpers/processes';

const session = (id: string, extra: Partial<McpSession> = {}): McpSession => ({
  id,
  protocolVersion: '2025-11-25',
  clientCapabilities: { elicitation: {} },
  clientInfo: { name: 'c', version: '1' },
  createdAt: Date.now(),
  createdBy: 'node-a',
  ...extra,
});

/** The Redis ports' implementations against a real redis-server. */
describe('Redis stores', () => {
  let redis: RedisServer;
  let client: ReturnType<typeof createRedisClient>;
  let bus: RedisMessageBus;
  let inspector: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = createRedisClient({ url: redis.url, mode: 'standalone', sentinels: [], sentinelName: 'x', clusterNodes: [], commandTimeoutMs: 1000 });
    bus = new RedisMessageBus(client, 't:');
    inspector = new Redis(redis.url);
    await waitFor(() => client.status === 'ready', 5000, 'the client');
  });

  afterAll(async () => {
    await bus?.onApplicationShutdown();
    client?.disconnect();
    inspector?.disconnect();
    await redis?.stop();
  });

  describe(RedisSessionStore.name, () => {
    let sut: RedisSessionStore;

    beforeEach(() => {
      sut = new RedisSessionStore(client, 't:', 60);
    });

    it('stores a session under a hash-tagged key with a TTL and reads it back', async () => {
      await sut.create(session('s1', { tenantId: 'acme' }));
      expect(await sut.get('s1')).toEqual(session('s1', { tenantId: 'acme', createdAt: expect.any(Number) }));
      const ttl = await inspector.pttl('t:{s1}:session');
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('slides the TTL when a session is read', async () => {
      await sut.create(session('s2'));
      await inspector.pexpire('t:{s2}:session', 5000);
      await sut.get('s2');
      expect(await inspector.pttl('t:{s2}:session')).toBeGreaterThan(50_000);
    });

    it('refreshes the live-count index on a read at most once per hundredth of the TTL', async () => {
      const hourly = new RedisSessionStore(client, 't:', 3600);
      await hourly.create(session('s9'));
      await inspector.zadd('t:sessions', 'XX', 1, 's9');
      await hourly.get('s9');
      expect(Number(await inspector.zscore('t:sessions', 's9'))).toBeGreaterThan(Date.now());
      await inspector.zadd('t:sessions', 'XX', 1, 's9');
      expect(await hourly.get('s9')).toMatchObject({ id: 's9' });
      // Read again within 36 s: the TTL slid, the index entry was left alone.
      expect(await inspector.zscore('t:sessions', 's9')).toBe('1');
      expect(await inspector.pttl('t:{s9}:session')).toBeGreaterThan(3_500_000);
      expect(await hourly.get('unknown-session')).toBeUndefined();
      expect(await inspector.zscore('t:sessions', 'unknown-session')).toBeNull();
    });

    it('patches fields of a live session and ignores an unknown one', async () => {
      await sut.create(session('s3'));
      await sut.update('s3', { logLevel: 'warning' });
      await sut.update('nope', { logLevel: 'debug' });
      expect((await sut.get('s3'))?.logLevel).toBe('warning');
      expect(await inspector.exists('t:{nope}:session')).toBe(0);
    });

    it('deletes a session once and counts only live ones', async () => {
      const before = await sut.count();
      await sut.create(session('s4'));
      expect(await sut.count()).toBe(before + 1);
      expect(await sut.delete('s4')).toBe(true);
      expect(await sut.delete('s4')).toBe(false);
      expect(await sut.get('s4')).toBeUndefined();
      expect(await sut.count()).toBe(before);
    });

    it('keeps resource subscribers and drops sessions that are gone', async () => {
      await sut.create(session('s5'));
      await sut.create(session('s6'));
      await sut.subscribe('s5', 'res://a');
      await sut.subscribe('s6', 'res://a');
      await sut.delete('s6');
      expect(await sut.subscribers('res://a')).toEqual(['s5']);
      await sut.unsubscribe('s5', 'res://a');
      expect(await sut.subscribers('res://a')).toEqual([]);
    });

    it('counts the live sessions of an owner across replicas, and forgets deleted ones', async () => {
      const other = new RedisSessionStore(client, 't:', 60);
      await sut.create(session('o1', { principal: 'key-o', tenantId: 'owners' }));
      await other.create(session('o2', { principal: 'key-o', tenantId: 'owners' }));
      expect(await sut.countOwned('principal:key-o')).toBe(2);
      expect(await other.countOwned('tenant:owners')).toBe(2);
      await other.delete('o1');
      expect(await sut.countOwned('principal:key-o')).toBe(1);
      expect(await client.pttl('t:owned:principal:key-o')).toBeGreaterThan(0);
    });

    it('gives a subscription set a TTL, so it does not outlive its sessions', async () => {
      await sut.create(session('s7'));
      await sut.subscribe('s7', 'res://ttl');
      const keys = await client.keys('t:*res://ttl*');
      expect(keys).toHaveLength(1);
      const ttl = await client.pttl(keys[0]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });
  });

  describe(RedisEventStore.name, () => {
    let sut: RedisEventStore;

    beforeEach(() => {
      sut = new RedisEventStore(client, bus, 't:', { maxEventsPerStream: 5, openTtlSeconds: 60, completedTtlSeconds: 10 });
    });

    it('numbers appended events and replays those after a cursor', async () => {
      const first = await sut.append('sa/stream', { n: 1 });
      await sut.append('sa/stream', { n: 2 });
      await sut.append('sa/stream', { n: 3 });
      expect(first).toBe('sa/stream#0');
      const replay = await sut.after(first);
      expect(replay).toEqual({
        streamKey: 'sa/stream',
        completed: false,
        events: [
          { id: 'sa/stream#1', message: { n: 2 } },
          { id: 'sa/stream#2', message: { n: 3 } },
        ],
      });
    });

    it('keeps a bounded number of events and refuses a cursor from before them', async () => {
      for (let n = 0; n < 8; n += 1) await sut.write('sb/stream', [{ sequence: n, message: { n } }]);
      expect(await inspector.llen('t:{sb}:ev:stream')).toBe(5);
      expect(await sut.after('sb/stream#1')).toBeUndefined();
      expect((await sut.after('sb/stream#4'))?.events.map((event) => event.message.n)).toEqual([5, 6, 7]);
    });

    it('answers undefined for an unknown stream or a cursor past its end', async () => {
      expect(await sut.after('nobody/stream#0')).toBeUndefined();
      await sut.write('sc/stream', [{ sequence: 0, message: { n: 0 } }]);
      expect(await sut.after('sc/stream#3')).toBeUndefined();
    });

    it('publishes live events and the end to followers', async () => {
      const seen: unknown[] = [];
      const unsubscribe = await sut.subscribe('sd/stream', (event) => seen.push(event === 'complete' ? event : event.message));
      await sut.write('sd/stream', [{ sequence: 0, message: { n: 0 } }]);
      await sut.append('sd/stream', { n: 1 });
      await sut.complete('sd/stream');
      await waitFor(() => seen.length === 3, 5000, 'the published events');
      expect(seen).toEqual([{ n: 0 }, { n: 1 }, 'complete']);
      expect((await sut.after('sd/stream#0'))?.completed).toBe(true);
      unsubscribe();
    });

    it('writes a batch of numbered events and ends the stream in one operation', async () => {
      const seen: unknown[] = [];
      const unsubscribe = await sut.subscribe('sf/stream', (event) => seen.push(event === 'complete' ? event : event.message));
      const batch = [
        { sequence: 0, message: { n: 0 } },
        { sequence: 1, message: { n: 1 } },
      ];
      await sut.write('sf/stream', batch, { ttlSeconds: 10 });
      await waitFor(() => seen.length === 3, 5000, 'the published events');
      expect(seen).toEqual([{ n: 0 }, { n: 1 }, 'complete']);
      expect(await sut.after('sf/stream#0')).toEqual({ streamKey: 'sf/stream', completed: true, events: [{ id: 'sf/stream#1', message: { n: 1 } }] });
      const ttl = await inspector.pttl('t:{sf}:ev:stream');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10_000);
      unsubscribe();
    });

    it('runs its scripts by SHA and loads them again after SCRIPT FLUSH', async () => {
      await sut.write('sg/stream', [{ sequence: 0, message: { n: 0 } }]);
      await inspector.script('FLUSH');
      await sut.write('sg/stream', [{ sequence: 1, message: { n: 1 } }], {});
      expect(await sut.append('sh/stream', { n: 0 })).toBe('sh/stream#0');
      expect(await sut.after('sg/stream#0')).toMatchObject({ completed: true, events: [{ id: 'sg/stream#1' }] });
    });

    it('tells a late follower that the stream already ended', async () => {
      await sut.write('se/stream', [{ sequence: 0, message: { n: 0 } }]);
      await sut.complete('se/stream');
      const seen: unknown[] = [];
      await sut.subscribe('se/stream', (event) => seen.push(event));
      expect(seen).toEqual(['complete']);
    });
  });

  describe('when Redis goes away', () => {
    it('fails fast with StoreUnavailableError and recovers when it returns', async () => {
      const sut = new RedisSessionStore(client, 't:', 60);
      await redis.stop();
      await expect(sut.get('x')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(sut.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await redis.restart();
      await waitFor(
        async () =>
          await sut.ping().then(
            () => true,
            () => false,
          ),
        10_000,
        'the store to come back',
      );
      await sut.create(session('after'));
      expect((await sut.get('after'))?.id).toBe('after');
      inspector.disconnect();
      inspector = new Redis(redis.url);
    }, 30_000);
  });
});
