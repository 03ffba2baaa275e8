export type BusHandler = (payload: Record<string, unknown>) => void;

/**
 * Carries messages between replicas: a client's answer that reached another replica than
 * the one waiting for it, a cancellation, a legacy SSE message, a session's end, and the
 * live events of streams. In memory it only reaches this process.
 */
export interface MessageBus {
  /** Resolves with the number of subscribers that received the message (0: nobody listens). */
  publish(channel: string, payload: Record<string, unknown>): Promise<number>;
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
}

export const MessageBus = Symbol('SESSION:MESSAGE_BUS');

/** Channels every replica listens on. */
export const BUS_CHANNELS = {
  /** Messages for one replica (`node:<nodeId>`). */
  node: (nodeId: string) => `node:${nodeId}`,
  /** Messages for every replica. */
  all: 'all',
  /** Live events of one stream. */
  stream: (streamKey: string) => `ev:${streamKey}`,
} as const;
