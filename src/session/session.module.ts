import { DynamicModule, Module, Provider } from '@nestjs/common';
import { RedisConnection } from '../redis/redis.connection.provider';
import { EventStore } from './event-store.interface';
import { EventStoreLimits, MemoryEventStore } from './memory-event.store';
import { MemoryMessageBus } from './memory-message.bus';
import { MemorySessionStore } from './memory-session.store';
import { MessageBus } from './message-bus.interface';
import { RedisEventStore } from './redis/redis-event.store';
import { RedisMessageBus } from './redis/redis-message.bus';
import { RedisSessionStore } from './redis/redis-session.store';
import { SessionStore } from './session-store.interface';

export interface SessionModuleOptions {
  /** Idle seconds before a session expires. @default 1800 */
  ttlSeconds?: number;
  /** Events kept per SSE stream for resumption. @default 1000 */
  maxEventsPerStream?: number;
  /** Seconds an ended stream stays resumable. @default 300 */
  completedStreamTtlSeconds?: number;
}

/** Resolves every option of {@link SessionModuleOptions} (defaults in one place). */
export function sessionLimits(options: SessionModuleOptions = {}): { ttlSeconds: number; limits: EventStoreLimits } {
  const ttlSeconds = options.ttlSeconds ?? 1800;
  return {
    ttlSeconds,
    limits: {
      maxEventsPerStream: options.maxEventsPerStream ?? 1000,
      openTtlSeconds: ttlSeconds,
      completedTtlSeconds: options.completedStreamTtlSeconds ?? 300,
    },
  };
}

const OPTIONAL_REDIS = { token: RedisConnection, optional: true };

/**
 * Provides the {@link SessionStore}, {@link EventStore} and {@link MessageBus} ports to the
 * whole app: in Redis when {@link RedisModule} is imported (any replica serves any
 * session), in this process otherwise. Without this module, McpModule keeps its sessions
 * in memory.
 */
@Module({})
export class SessionModule {
  static forRoot(options: SessionModuleOptions = {}): DynamicModule {
    const { ttlSeconds, limits } = sessionLimits(options);
    const providers: Provider[] = [
      {
        provide: MessageBus,
        useFactory: (redis?: RedisConnection) => (redis ? new RedisMessageBus(redis.client, redis.keyPrefix) : new MemoryMessageBus()),
        inject: [OPTIONAL_REDIS],
      },
      {
        provide: SessionStore,
        useFactory: (redis?: RedisConnection) =>
          redis ? new RedisSessionStore(redis.client, redis.keyPrefix, ttlSeconds) : new MemorySessionStore(ttlSeconds),
        inject: [OPTIONAL_REDIS],
      },
      {
        provide: EventStore,
        useFactory: (bus: MessageBus, redis?: RedisConnection) =>
          redis ? new RedisEventStore(redis.client, bus as RedisMessageBus, redis.keyPrefix, limits) : new MemoryEventStore(limits),
        inject: [MessageBus, OPTIONAL_REDIS],
      },
    ];
    return { module: SessionModule, global: true, providers, exports: [SessionStore, EventStore, MessageBus] };
  }
}
