import { execFileSync } from 'node:child_process';
import { HealthPath } from '../src/health';
import { RunningPlatform, startPlatform } from './helpers/platform';
import { Spawned, freePort, start, stop, waitFor } from './helpers/processes';

/** A throwaway redis-server on `port`, nothing kept on disk. */
function startRedis(port: number): Spawned {
  return start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    PATH: process.env.PATH,
  });
}

function redisAvailable(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const status = async (url: string) => (await fetch(url)).status;

/** Readiness follows the Redis session store: 503 during an outage, 200 again without a restart. */
(redisAvailable() ? describe : describe.skip)('readiness with the Redis session store', () => {
  let redis: Spawned | undefined;
  let platform: RunningPlatform | undefined;

  afterEach(async () => {
    await platform?.close().catch(() => undefined);
    platform = undefined;
    await stop(redis);
    redis = undefined;
  });

  it('turns 503 while Redis is down, keeps liveness 200, and recovers when Redis returns', async () => {
    const port = await freePort();
    redis = startRedis(port);
    await waitFor(() => redis!.output().includes('Ready to accept connections'), 10_000, 'redis-server to start');
    platform = await startPlatform({ redisUrl: `redis://127.0.0.1:${port}` });
    const ready = `${platform.baseUrl}${HealthPath.READY}`;
    const live = `${platform.baseUrl}${HealthPath.LIVE}`;

    const up = await (await fetch(ready)).json();
    expect(up).toMatchObject({ status: 'ok', details: { sessionStore: { status: 'up', store: 'redis' } } });

    await stop(redis);
    await waitFor(async () => (await status(ready)) === 503, 15_000, 'readiness to turn 503');
    expect(await status(live)).toBe(200);
    const detail = await (await fetch(`${platform.baseUrl}${HealthPath.ROOT}`)).json();
    expect(detail).toMatchObject({ status: 'unhealthy', activeSessions: null, features: { redis: true } });

    redis = startRedis(port);
    await waitFor(async () => (await status(ready)) === 200, 30_000, 'readiness to recover');
  }, 90_000);
});
