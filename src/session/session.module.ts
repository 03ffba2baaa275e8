import { DynamicModule, Module } from '@nestjs/common';
import { MemorySessionStore } from './memory-session.store';
import { SessionStore } from './session-store.interface';

export interface SessionModuleOptions {
  /** Idle seconds before a session expires. @default 1800 */
  ttlSeconds?: number;
}

/** Provides the {@link SessionStore} port to the whole app. */
@Module({})
export class SessionModule {
  static forRoot(options: SessionModuleOptions = {}): DynamicModule {
    return {
      module: SessionModule,
      global: true,
      providers: [{ provide: SessionStore, useFactory: () => new MemorySessionStore(options.ttlSeconds ?? 1800) }],
      exports: [SessionStore],
    };
  }
}
