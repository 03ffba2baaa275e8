import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { EventStore, MemoryEventStore, MemoryMessageBus, MemorySessionStore, MessageBus, SessionStore, sessionLimits } from '../session';
import { DefaultTenantResolver, TenantResolver } from '../tenant';
import { InjectMcpOptions } from './mcp.constants';
import type { McpModuleOptions } from './mcp-module-options.interface';

/**
 * The ports the MCP edge works through, each filled by the module that provides it
 * (SessionModule, RedisModule, TenantModule) or by an in-process default: so that
 * `McpModule.forRoot()` works alone, and another module's store is used when there is one.
 */
@Injectable()
export class McpPorts implements OnApplicationShutdown {
  readonly sessions: SessionStore;
  readonly events: EventStore;
  readonly bus: MessageBus;
  readonly tenants: TenantResolver;
  /** Defaults made here: their lifecycle is ours (a provided port's is its module's). */
  private readonly owned: Array<{ onApplicationShutdown?(): unknown }> = [];

  constructor(
    @InjectMcpOptions() options: McpModuleOptions,
    @Optional() @Inject(SessionStore) sessions?: SessionStore,
    @Optional() @Inject(EventStore) events?: EventStore,
    @Optional() @Inject(MessageBus) bus?: MessageBus,
    @Optional() @Inject(TenantResolver) tenants?: TenantResolver,
  ) {
    const { ttlSeconds, limits } = sessionLimits({ ttlSeconds: options.sessionTtlSeconds });
    this.sessions = sessions ?? this.own(new MemorySessionStore(ttlSeconds));
    this.events = events ?? this.own(new MemoryEventStore(limits));
    this.bus = bus ?? this.own(new MemoryMessageBus());
    this.tenants = tenants ?? new DefaultTenantResolver();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.owned.map(async (port) => port.onApplicationShutdown?.()));
  }

  private own<T extends object>(port: T): T {
    this.owned.push(port);
    return port;
  }
}
