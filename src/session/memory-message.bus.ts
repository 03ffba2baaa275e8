import type { BusHandler, MessageBus } from './message-bus.interface';

/** The bus of a single replica: handlers in this process only. */
export class MemoryMessageBus implements MessageBus {
  private readonly channels = new Map<string, Set<BusHandler>>();

  async publish(channel: string, payload: Record<string, unknown>): Promise<number> {
    const handlers = this.channels.get(channel);
    if (!handlers) return 0;
    // Like Redis, delivery happens after the publisher carries on.
    for (const handler of [...handlers]) queueMicrotask(() => handler(payload));
    return handlers.size;
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>> {
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.channels.get(channel) === handlers) this.channels.delete(channel);
    };
  }
}
