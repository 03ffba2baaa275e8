import { OnApplicationShutdown } from '@nestjs/common';
import {
  EventStore,
  NumberedEvent,
  StoredEvent,
  StreamEnd,
  StreamListener,
  StreamReplay,
  parseEventId,
  sessionOfStreamKey,
} from './event-store.interface';

interface Stream {
  events: StoredEvent[];
  next: number;
  completed: boolean;
  expiresAt: number;
  listeners: Set<StreamListener>;
}

export interface EventStoreLimits {
  /** Events kept per stream; older ones are dropped (a resume from before them fails). */
  maxEventsPerStream: number;
  /** How long a stream that is still open is kept after its last event. */
  openTtlSeconds: number;
  /** How long an ended stream is kept for clients that missed its last events. */
  completedTtlSeconds: number;
}

/** Streams of this replica in memory; the default when no Redis is configured. */
export class MemoryEventStore implements EventStore, OnApplicationShutdown {
  private readonly streams = new Map<string, Stream>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: EventStoreLimits,
    private readonly now: () => number = Date.now,
  ) {
    // Frequent: answered streams are kept only seconds, and there is one per call.
    this.sweeper = setInterval(() => this.sweep(), 5_000);
    this.sweeper.unref();
  }

  async append(streamKey: string, message: Record<string, unknown>): Promise<string> {
    const stream = this.streamFor(streamKey);
    const event: StoredEvent = { id: `${streamKey}#${stream.next}`, message };
    stream.next += 1;
    stream.events.push(event);
    if (stream.events.length > this.limits.maxEventsPerStream) stream.events.shift();
    stream.expiresAt = this.now() + this.limits.openTtlSeconds * 1000;
    for (const listener of stream.listeners) listener(event);
    return event.id;
  }

  async write(streamKey: string, events: readonly NumberedEvent[], end?: StreamEnd): Promise<void> {
    const stream = this.streamFor(streamKey);
    for (const { sequence, message } of events) {
      const event: StoredEvent = { id: `${streamKey}#${sequence}`, message };
      stream.next = Math.max(stream.next, sequence + 1);
      stream.events.push(event);
      if (stream.events.length > this.limits.maxEventsPerStream) stream.events.shift();
      stream.expiresAt = this.now() + this.limits.openTtlSeconds * 1000;
      for (const listener of stream.listeners) listener(event);
    }
    if (end) await this.complete(streamKey, end.ttlSeconds);
  }

  async after(eventId: string): Promise<StreamReplay | undefined> {
    const parsed = parseEventId(eventId);
    if (!parsed) return undefined;
    const stream = this.live(parsed.streamKey);
    if (!stream || parsed.sequence >= stream.next) return undefined;
    const oldest = stream.events[0] ? parseEventId(stream.events[0].id)!.sequence : stream.next;
    // Events after the cursor were dropped: the client cannot be made whole.
    if (parsed.sequence + 1 < oldest) return undefined;
    const events = stream.events.filter((event) => parseEventId(event.id)!.sequence > parsed.sequence);
    return { streamKey: parsed.streamKey, events, completed: stream.completed };
  }

  async complete(streamKey: string, ttlSeconds = this.limits.completedTtlSeconds): Promise<void> {
    const stream = this.streamFor(streamKey);
    stream.completed = true;
    stream.expiresAt = this.now() + Math.min(ttlSeconds, this.limits.completedTtlSeconds) * 1000;
    for (const listener of stream.listeners) listener('complete');
    stream.listeners.clear();
  }

  async subscribe(streamKey: string, listener: StreamListener): Promise<() => void> {
    const stream = this.streamFor(streamKey);
    if (stream.completed) {
      listener('complete');
      return () => undefined;
    }
    stream.listeners.add(listener);
    return () => stream.listeners.delete(listener);
  }

  async deleteSession(sessionId: string): Promise<void> {
    for (const [key, stream] of this.streams) {
      if (sessionOfStreamKey(key) !== sessionId) continue;
      for (const listener of stream.listeners) listener('complete');
      this.streams.delete(key);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private streamFor(streamKey: string): Stream {
    let stream = this.live(streamKey);
    if (!stream) {
      stream = {
        events: [],
        next: 0,
        completed: false,
        expiresAt: this.now() + this.limits.openTtlSeconds * 1000,
        listeners: new Set(),
      };
      this.streams.set(streamKey, stream);
    }
    return stream;
  }

  private live(streamKey: string): Stream | undefined {
    const stream = this.streams.get(streamKey);
    if (stream && stream.expiresAt <= this.now() && stream.listeners.size === 0) {
      this.streams.delete(streamKey);
      return undefined;
    }
    return stream;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, stream] of this.streams) {
      if (stream.expiresAt <= now && stream.listeners.size === 0) this.streams.delete(key);
    }
  }
}
