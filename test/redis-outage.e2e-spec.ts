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
