import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { EventStore, InjectEventStore, streamKeyOf } from '../session';
import { SseWriter } from './sse.writer';
import { StreamCursor } from './stream-cursor';

/** The SDK's name for a session's standalone (GET) stream; kept for event ids. */
export const STANDALONE_STREAM_ID = '_GET_stream';

/**
 * The standalone GET streams this replica holds, by session. Notifications that belong to
 * no request (`list_changed`, `resources/updated`) are stored in the session's standalone
 * stream, so a client that reconnects with `Last-Event-ID` gets what it missed, and written
 * to the live stream when this replica holds it.
 */
@Injectable()
export class StandaloneStreamRegistry implements OnModuleDestroy {
  private readonly logger = new Logger(StandaloneStreamRegistry.name);
  private readonly streams = new Map<string, StreamCursor>();

  constructor(@InjectEventStore() private readonly events: EventStore) {}

  has(sessionId: string): boolean {
    return this.streams.get(sessionId)?.writer.open ?? false;
  }

  /** Opens the session's stream on `res`; `replayingFrom` keeps live events until the replay is written. */
  open(sessionId: string, res: ServerResponse, headers: Record<string, string>, replayingFrom?: number): StreamCursor {
    const cursor = new StreamCursor(new SseWriter(res, headers), replayingFrom ?? -1, replayingFrom !== undefined);
    this.streams.set(sessionId, cursor);
    res.once('close', () => {
      if (this.streams.get(sessionId) === cursor) this.streams.delete(sessionId);
    });
    return cursor;
  }

  /** Ends the session's stream (DELETE, drain). */
  close(sessionId: string): void {
    const cursor = this.streams.get(sessionId);
    this.streams.delete(sessionId);
    cursor?.writer.end();
  }

  /** Stores a notification in the session's standalone stream and writes it if the stream is here. */
  async notify(sessionId: string, notification: Record<string, unknown>): Promise<void> {
    const message = { jsonrpc: '2.0', ...notification };
    const id = await this.events.append(streamKeyOf(sessionId, STANDALONE_STREAM_ID), message);
    this.streams.get(sessionId)?.push({ id, message });
  }

  /** Notifies every session whose stream this replica holds. */
  async broadcast(notification: Record<string, unknown>): Promise<void> {
    await Promise.all(
      [...this.streams.keys()].map((sessionId) =>
        this.notify(sessionId, notification).catch((error: Error) => {
          this.logger.warn({ msg: 'notification to a standalone stream failed', sessionId, error: error.message });
        }),
      ),
    );
  }

  get size(): number {
    return this.streams.size;
  }

  closeAll(): void {
    for (const sessionId of [...this.streams.keys()]) this.close(sessionId);
  }

  onModuleDestroy(): void {
    this.closeAll();
  }
}
