import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateApiKey } from '../src/auth/api-key.generator';
import { INITIALIZE, postRaw } from './helpers/platform';
import { RedisServer, startRedis } from './helpers/redis';
import { ReplicaSet, startReplicas } from './helpers/replicas';

describe('a rate limit shared by two replicas through Redis', () => {
  const key = generateApiKey();
  let dir: string;
  let redis: RedisServer;
  let set: ReplicaSet;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-fleet-limit-'));
    const config = join(dir, 'platform.yaml');
    writeFileSync(
      config,
      stringify({ auth: { apiKeys: [{ id: 'fleet', hash: key.hash, permissions: ['*'], rateLimit: { limit: 5, ttlSeconds: 60 } }] } }),
    );
    redis = await startRedis();
    set = await startReplicas(2, { REDIS_URL: redis.url, MCP_CONFIG: config });
  }, 60_000);

  afterAll(async () => {
    await set?.stopAll();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('allows exactly the limit across the fleet, then 429 with Retry-After on every replica', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 8; index += 1) {
      const replica = set.replicas[index % 2];
      const response = await postRaw(`${replica.baseUrl}/mcp`, INITIALIZE, { 'x-api-key': key.key });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      await response.text();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
  });
});
