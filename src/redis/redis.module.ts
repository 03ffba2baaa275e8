import { DynamicModule, Module } from '@nestjs/common';
import { RedisConnectionOptions } from './redis.connection';
import { RedisConnection } from './redis.connection.provider';

/** Options of {@link RedisModule}: where Redis is, and the prefix of every key the platform writes. */
export interface RedisModuleOptions extends Partial<RedisConnectionOptions> {
  /** Prefix of every key (and pub/sub channel) the platform writes. @default 'mcp:' */
  keyPrefix?: string;
}

export const REDIS_DEFAULTS: Required<Omit<RedisModuleOptions, 'url' | 'connectionName'>> = {
  mode: 'standalone',
  sentinels: [],
  sentinelName: 'mymaster',
  clusterNodes: [],
  commandTimeoutMs: 2000,
  keyPrefix: 'mcp:',
};

/**
 * One Redis connection for everything the platform keeps across replicas: sessions, stream
 * events and the bus (SessionModule), rate-limit counters (AuthModule). Import it once, in
 * the root module; without it everything lives in this process.
 */
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions = {}): DynamicModule {
    const resolved = { ...REDIS_DEFAULTS, ...withoutUndefined(options) };
    return {
      module: RedisModule,
      global: true,
      providers: [{ provide: RedisConnection, useFactory: () => new RedisConnection(resolved) }],
      exports: [RedisConnection],
    };
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
