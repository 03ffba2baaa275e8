import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Spawned, freePort, start, stop, waitFor } from './processes';

export interface RedisServer {
  port: number;
  url: string;
  process: Spawned;
  /** Stops it (by PID); `restart()` brings it back on the same port. */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

function redisArgs(port: number, extra: string[] = []): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extra];
}

/** Waits until a redis-server answers PING on `port`. */
export async function waitForPing(port: number): Promise<void> {
  await waitFor(
    async () => {
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    },
    10_000,
    `redis-server on ${port}`,
  );
}

/** A real redis-server on a free port, owned by the test (stop it in afterAll). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: start('redis-server', redisArgs(port), process.env),
    async stop() {
      await stop(server.process);
    },
    async restart() {
      await stop(server.process);
      server.process = start('redis-server', redisArgs(port), process.env);
      await waitForPing(port);
    },
  };
  await waitForPing(port);
  return server;
}

export interface RedisCluster {
  nodes: string[];
  stop(): Promise<void>;
}

/** A 3-master Redis Cluster on free ports (no replicas), in a temp dir removed on stop. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-redis-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const processes = ports.map((port) =>
    start(
      'redis-server',
      redisArgs(port, ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir]),
      process.env,
    ),
  );
  const cluster: RedisCluster = {
    nodes: ports.map((port) => `127.0.0.1:${port}`),
    async stop() {
      await Promise.all(processes.map((spawned) => stop(spawned)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const port of ports) await waitForPing(port);
    execFileSync('redis-cli', ['--cluster', 'create', ...cluster.nodes, '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'pipe' });
    await waitFor(
      () =>
        execFileSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'])
          .toString()
          .includes('cluster_state:ok'),
      15_000,
      'the cluster to be ready',
    );
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

export interface RedisSentinel {
  masterPort: number;
  sentinel: string;
  stop(): Promise<void>;
}

/** A master and one Sentinel monitoring it as `mymaster`, on free ports, in a temp dir removed on stop. */
export async function startRedisSentinel(): Promise<RedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-redis-sentinel-'));
  const masterPort = await freePort();
  const sentinelPort = await freePort();
  const master = start('redis-server', redisArgs(masterPort), process.env);
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`,
      'sentinel down-after-milliseconds mymaster 5000',
      '',
    ].join('\n'),
  );
  let sentinel: Spawned | undefined;
  const handle: RedisSentinel = {
    masterPort,
    sentinel: `127.0.0.1:${sentinelPort}`,
    async stop() {
      await Promise.all([stop(sentinel), stop(master)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForPing(masterPort);
    sentinel = start('redis-server', [config, '--sentinel'], process.env);
    await waitForPing(sentinelPort);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}
