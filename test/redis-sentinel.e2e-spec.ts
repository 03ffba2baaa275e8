import { Redis } from 'ioredis';
import { connectClient, RunningPlatform, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { RedisSentinel, startRedisSentinel } from './helpers/redis';

describe('sessions through Redis Sentinel', () => {
  let sentinel: RedisSentinel;
  let platform: RunningPlatform;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    platform = await startPlatform({ redis: { mode: 'sentinel', sentinels: [sentinel.sentinel], sentinelName: 'mymaster' } });
    await waitFor(async () => (await fetch(`${platform.baseUrl}/health/ready`)).status === 200, 15_000, 'readiness');
  }, 30_000);

  afterAll(async () => {
    await platform?.close();
    await sentinel?.stop();
  });

  it('finds the master through the sentinel and keeps sessions there', async () => {
    const { client, transport } = await connectClient(platform.mcpUrl);
    const master = new Redis({ port: sentinel.masterPort, host: '127.0.0.1' });
    try {
      expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).structuredContent).toEqual({ result: 3 });
      expect(await master.exists(`mcp:{${transport.sessionId}}:session`)).toBe(1);
    } finally {
      master.disconnect();
      await client.close();
    }
  });
});
