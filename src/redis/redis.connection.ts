import type { Cluster, Redis, RedisOptions } from 'ioredis';

/** What the platform's Redis connection needs; built from AppConfig by SessionModule. */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL: the server (standalone) or the credentials and TLS (sentinel, cluster). */
  url?: string;
  mode: 'standalone' | 'sentinel' | 'cluster';
  sentinels: string[];
  sentinelName: string;
  clusterNodes: string[];
  commandTimeoutMs: number;
  /** Name in `CLIENT LIST`, for operators. */
  connectionName?: string;
}

export type RedisClient = Redis | Cluster;

function hostPort(value: string): { host: string; port: number } {
  const index = value.lastIndexOf(':');
  return { host: value.slice(0, index), port: Number(value.slice(index + 1)) };
}

/** Credentials, database and TLS from the URL, for sentinel and cluster connections. */
function urlOptions(url: string | undefined): RedisOptions {
  if (!url) return {};
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(db !== undefined && Number.isInteger(db) && { db }),
    ...(parsed.protocol === 'rediss:' && { tls: { servername: parsed.hostname } }),
  };
}

/**
 * Connects to Redis standalone, through Sentinel or as a Cluster. Commands fail fast while
 * disconnected (no offline queue): the request that needed them gets 503 and readiness turns
 * 503, and ioredis keeps reconnecting, so the replica recovers without a restart.
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  // Loaded here, not at import: a replica without Redis never loads the client library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Cluster, Redis } = require('ioredis') as typeof import('ioredis');
  const common: RedisOptions = {
    connectionName: options.connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    enableAutoPipelining: true,
  };
  if (options.mode === 'cluster') {
    return new Cluster(options.clusterNodes.map(hostPort), {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      redisOptions: { ...common, ...urlOptions(options.url) },
    });
  }
  if (options.mode === 'sentinel') {
    return new Redis({
      ...common,
      ...urlOptions(options.url),
      sentinels: options.sentinels.map(hostPort),
      name: options.sentinelName,
    });
  }
  if (!options.url) throw new Error('redis: standalone mode needs redisUrl (REDIS_URL)');
  return new Redis(options.url, common);
}

/** The key prefix with a hash tag, so every key of one session lands in one Cluster slot. */
export function sessionKey(prefix: string, sessionId: string, suffix: string): string {
  return `${prefix}{${sessionId}}:${suffix}`;
}
