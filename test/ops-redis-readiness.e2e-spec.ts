import { HealthPath } from '../src/health';
import { RunningPlatform, startPlatform } from './helpers/platform';
import { waitFor } from './helpers/processes';
import { RedisServer, startRedis } from './helpers/redis';

const status = async (url: string) => (await fetch(url)).status;

/** Readiness follows the Redis session store: 503 during an outage, 200 again without a restart. */
describe('readiness with the Redis session store', () => {
  let redis: RedisServer | undefined;
  let platform: RunningPlatform | undefined;

  afterEach(async () => {
    await platform?.close().catch(() => undefined);
    platform = undefined;
    await redis?.stop();
    redis = undefined;
  });

  it('turns 503 while Redis is down, keeps liveness 200, and recovers when Redis returns', async () => {
    redis = await startRedis();
    platform = await startPlatform({ redisUrl: redis.url });
    const ready = `${platform.baseUrl}${HealthPath.READY}`;
    const live = `${platform.baseUrl}${HealthPath.LIVE}`;
    await waitFor(async () => (await status(ready)) === 200, 15_000, 'readiness');

    const up = await (await fetch(ready)).json();
    expect(up).toMatchObject({ status: 'ok', details: { sessionStore: { status: 'up', store: 'redis' } } });

    await redis.stop();
    await waitFor(async () => (await status(ready)) === 503, 15_000, 'readiness to turn 503');
    expect(await status(live)).toBe(200);
    const detail = await (await fetch(`${platform.baseUrl}${HealthPath.ROOT}`)).json();
    expect(detail).toMatchObject({ status: 'unhealthy', activeSessions: null, features: { redis: true } });

    await redis.restart();
    await waitFor(async () => (await status(ready)) === 200, 30_000, 'readiness to recover');
  }, 90_000);
});
