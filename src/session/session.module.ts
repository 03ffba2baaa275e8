import { DynamicModule, Module } from '@nestjs/common';
import { EventStore } from './event-store.interface';
import { MemoryEventStore } from './memory-event.store';
import { MemorySessionStore } from './memory-session.store';
import { SessionStore } from './session-store.interface';

export interface SessionModuleOptions {
  /** Idle seconds before a session expires. @default 1800 */
  ttlSeconds?: number;
  /** Events kept per SSE stream for resumption. @default 1000 */
  maxEventsPerStream?: number;
  /** Seconds an ended stream stays resumable. @default 300 */
  completedStreamTtlSeconds?: number;
}

/** Provides the {@link SessionStore} and {@link EventStore} ports to the whole app. */
@Module({})
export class SessionModule {
  static forRoot(options: SessionModuleOptions = {}): DynamicModule {
    const ttlSeconds = options.ttlSeconds ?? 1800;
    return {
      module: SessionModule,
      global: true,
      providers: [
        { provide: SessionStore, useFactory: () => new MemorySessionStore(ttlSeconds) },
        {
          provide: EventStore,
          useFactory: () =>
            new MemoryEventStore({
              maxEventsPerStream: options.maxEventsPerStream ?? 1000,
              openTtlSeconds: ttlSeconds,
              completedTtlSeconds: options.completedStreamTtlSeconds ?? 300,
            }),
        },
      ],
      exports: [SessionStore, EventStore],
    };
  }
}
