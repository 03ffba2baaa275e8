import { DynamicModule, Module, Provider } from '@nestjs/common';
import { EventStore } from './event-store.interface';
import { MemoryEventStore, EventStoreLimits } from './memory-event.store';
import { MemoryMessageBus } from './memory-message.bus';
import { MemorySessionStore } from './memory-session.store';
import { MessageBus } from './message-bus.interface';
import { SessionStore } from './session-store.interface';
import type { RedisConnectionOptions } from '../redis/redis.connection';
import { RedisConnection } from '../redis/redis.connection.provider';
import { RedisEventStore } from './redis/redis-event.store';
import { RedisMessageBus } from './redis/redis-message.bus';
import { RedisSessionStore } from './redis/redis-session.store';

export interface SessionModuleOptions {
  /** Idle seconds before a session expires. @default 1800 */
  ttlSeconds?: number;
  /** Events kept per SSE stream for resumption. @default 1000 */
  maxEventsPerStream?: number;
  /** Seconds an ended stream stays resumable. @default 300 */
  completedStreamTtlSeconds?: number;
  /** Shared Redis for every replica; without it everything lives in this process. */
  redis?: RedisConnectionOptions & { keyPrefix: string };
}

/**
 * Provides the {@link SessionStore}, {@link EventStore} and {@link MessageBus} ports to the
 * whole app: in memory for one replica, in Redis when several share sessions.
 */
@Module({})
export class SessionModule {
  static forRoot(options: SessionModuleOptions = {}): DynamicModule {
    const ttlSeconds = options.ttlSeconds ?? 1800;
    const limits: EventStoreLimits = {
      maxEventsPerStream: options.maxEventsPerStream ?? 1000,
      openTtlSeconds: ttlSeconds,
      completedTtlSeconds: options.completedStreamTtlSeconds ?? 300,
    };
    const providers: Provider[] = options.redis ? redisProviders(options.redis, ttlSeconds, limits) : memoryProviders(ttlSeconds, limits);
    return {
      module: SessionModule,
      global: true,
      providers,
      // The connection too, for other fleet-wide state (rate-limit counters).
      exports: [SessionStore, EventStore, MessageBus, ...(options.redis ? [RedisConnection] : [])],
    };
  }
}

function memoryProviders(ttlSeconds: number, limits: EventStoreLimits): Provider[] {
  return [
    { provide: SessionStore, useFactory: () => new MemorySessionStore(ttlSeconds) },
    { provide: EventStore, useFactory: () => new MemoryEventStore(limits) },
    { provide: MessageBus, useFactory: () => new MemoryMessageBus() },
  ];
}

function redisProviders(redis: RedisConnectionOptions & { keyPrefix: string }, ttlSeconds: number, limits: EventStoreLimits): Provider[] {
  return [
    { provide: RedisConnection, useFactory: () => new RedisConnection(redis) },
    {
      provide: MessageBus,
      useFactory: (connection: RedisConnection) => new RedisMessageBus(connection.client, redis.keyPrefix),
      inject: [RedisConnection],
    },
    {
      provide: SessionStore,
      useFactory: (connection: RedisConnection) => new RedisSessionStore(connection.client, redis.keyPrefix, ttlSeconds),
      inject: [RedisConnection],
    },
    {
      provide: EventStore,
      useFactory: (connection: RedisConnection, bus: RedisMessageBus) => new RedisEventStore(connection.client, bus, redis.keyPrefix, limits),
      inject: [RedisConnection, MessageBus],
    },
  ];
}
