import { generateApiKey } from '../src/auth/api-key.generator';
import { INITIALIZE, RunningPlatform, jsonOf, postRaw, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { RedisServer, startRedis } from './helpers/redis';

describe('the session store going away and coming back', () => {
  let redis: RedisServer;
  let platform: RunningPlatform;

  beforeAll(async () => {
    redis = await startRedis();
    platform = await startPlatform({ redisUrl: redis.url, redis: { commandTimeoutMs: 500 } });
    await waitFor(async () => (await fetch(`${platform.baseUrl}/health/ready`)).status === 200, 10_000, 'readiness');
  }, 30_000);

  afterAll(async () => {
    await platform?.close();
    await redis?.stop();
  });

  it('answers 503 and turns readiness 503 while Redis is down, then recovers without a restart', async () => {
    const init = await postRaw(platform.mcpUrl, INITIALIZE);
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();

    await redis.stop();
    await waitFor(async () => (await fetch(`${platform.baseUrl}/health/ready`)).status === 503, 10_000, 'readiness to turn 503');
    expect((await fetch(`${platform.baseUrl}/health/live`)).status).toBe(200);
    const during = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sessionId });
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('1');
    expect((await jsonOf(during)).error).toEqual({ code: -32000, message: expect.stringContaining('session store') });

    await redis.restart();
    await waitFor(async () => (await fetch(`${platform.baseUrl}/health/ready`)).status === 200, 15_000, 'readiness to recover');
    // The server lost its data (no persistence): the old session is gone, a new one works.
    const stale = await postRaw(platform.mcpUrl, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': sessionId });
    expect(stale.status).toBe(404);
    await stale.text();
    const fresh = await postRaw(platform.mcpUrl, INITIALIZE);
    expect(fresh.status).toBe(200);
    await fresh.text();
  }, 45_000);
});

describe.each(['closed', 'open'] as const)('the rate-limit store going away, rateLimit.onStoreError: %s (stateless)', (policy) => {
  const credential = generateApiKey();
  let redis: RedisServer;
  let platform: RunningPlatform;
  const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };

  beforeAll(async () => {
    redis = await startRedis();
    platform = await startPlatform({
      redisUrl: redis.url,
      redis: { commandTimeoutMs: 500 },
      sessions: { mode: 'stateless' },
      auth: { apiKeys: [{ id: 'ci', hash: credential.hash, permissions: ['*'] }] },
      rateLimit: { default: { limit: 1000, ttlSeconds: 60 }, onStoreError: policy },
    });
  }, 30_000);

  afterAll(async () => {
    await platform?.close();
    await redis?.stop();
  });

  it(`answers ${policy === 'closed' ? '503 with a JSON-RPC error' : 'as usual, uncounted'} while Redis is down, and counts again once it is back`, async () => {
    const headers = { 'x-api-key': credential.key };
    const before = await postRaw(platform.mcpUrl, ping, headers);
    expect(before.status).toBe(200);
    expect(before.headers.get('x-ratelimit-remaining')).toBe('999');
    await before.text();

    await redis.stop();
    const during = await postRaw(platform.mcpUrl, ping, headers);
    if (policy === 'closed') {
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('1');
      expect((await jsonOf(during)).error).toEqual({ code: -32000, message: expect.stringContaining('rate-limit store') });
    } else {
      expect(during.status).toBe(200);
      await during.text();
    }

    await redis.restart();
    await waitFor(
      async () => {
        const after = await postRaw(platform.mcpUrl, ping, headers);
        await after.text();
        return after.status === 200 && after.headers.get('x-ratelimit-remaining') !== null;
      },
      15_000,
      'rate limiting to recover',
    );
  }, 45_000);
});
