import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { BusHandler, MessageBus } from '../message-bus.interface';
import type { RedisClient } from '../../redis/redis.connection';

/**
 * Redis pub/sub between replicas. Publishing uses the shared connection; subscriptions a
 * dedicated one, which ioredis resubscribes after a reconnect. Channels are prefixed.
 */
export class RedisMessageBus implements MessageBus, OnApplicationShutdown {
  private readonly logger = new Logger(RedisMessageBus.name);
  private readonly subscriber: RedisClient;
  private readonly handlers = new Map<string, Set<BusHandler>>();

  constructor(
    private readonly publisher: RedisClient,
    private readonly prefix: string,
  ) {
    // Subscriptions may be made before the connection is up: let them queue.
    this.subscriber = publisher.isCluster
      ? (publisher as Cluster).duplicate(undefined, { enableOfflineQueue: true })
      : (publisher as Redis).duplicate({ enableOfflineQueue: true });
    this.subscriber.on('error', (error: Error) => this.logger.warn({ msg: 'Redis subscriber error', error: error.message }));
    this.subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  /** The Redis channel of a bus channel (used by Lua scripts that publish). */
  channelName(channel: string): string {
    return `${this.prefix}bus:${channel}`;
  }

  async publish(channel: string, payload: Record<string, unknown>): Promise<number> {
    return this.publisher.publish(this.channelName(channel), JSON.stringify(payload));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    const name = this.channelName(channel);
    let handlers = this.handlers.get(name);
    if (!handlers) {
      this.handlers.set(name, (handlers = new Set()));
      await this.subscriber.subscribe(name);
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.handlers.get(name) === handlers) {
        this.handlers.delete(name);
        await this.subscriber.unsubscribe(name).catch(() => undefined);
      }
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.handlers.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private dispatch(channel: string, message: string): void {
    const handlers = this.handlers.get(channel);
    if (!handlers) return;
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(message) as Record<string, unknown>;
    } catch {
      this.logger.warn({ msg: 'malformed bus message', channel });
      return;
    }
    for (const handler of [...handlers]) handler(payload);
  }
}
