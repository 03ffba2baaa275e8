import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InMemoryServerEventBus, type ServerEvent, type ServerEventBus } from '@modelcontextprotocol/server';
import type { MessageBus } from '../../../session';
import { McpPorts } from '../../mcp.ports';

/** Where server events travel between replicas. */
export const SERVER_EVENTS_CHANNEL = 'server-events';

/**
 * The v2 SDK's event bus for `subscriptions/listen` streams, carried over the platform's
 * message bus: a change published on any replica (a list change, a resource update)
 * reaches the listen streams of every replica — through Redis pub/sub when Redis is
 * configured, in this process otherwise. Each replica feeds its own in-process bus, which
 * its open streams listen to.
 */
@Injectable()
export class ModernEventBus implements ServerEventBus, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpModernEvents');
  private readonly local = new InMemoryServerEventBus((error) => this.logger.warn({ msg: 'listen stream listener failed', error: error.message }));
  private readonly bus: MessageBus;
  private unsubscribe?: () => Promise<void>;

  constructor(ports: McpPorts) {
    this.bus = ports.bus;
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(SERVER_EVENTS_CHANNEL, (payload) => {
      if (payload.type === 'server-event') this.local.publish(payload.event as ServerEvent);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.unsubscribe?.().catch(() => undefined);
  }

  /** To every replica's listen streams (this one's too, through the bus). */
  publish(event: ServerEvent): void {
    this.bus.publish(SERVER_EVENTS_CHANNEL, { type: 'server-event', event }).catch((error: Error) => {
      // The bus is down: this replica's own listeners still hear of it.
      this.logger.warn({ msg: 'server event not sent to other replicas', kind: event.kind, error: error.message });
      this.local.publish(event);
    });
  }

  /** To this replica's listen streams only: for changes every replica makes itself (its registry). */
  publishHere(event: ServerEvent): void {
    this.local.publish(event);
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    return this.local.subscribe(listener);
  }
}
