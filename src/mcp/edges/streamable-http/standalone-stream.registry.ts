import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { EventStore, streamKeyOf } from '../../../session';
import { McpPorts } from '../../mcp.ports';
import { SseWriter } from './sse.writer';
import { StreamCursor } from './stream-cursor';

/** The SDK's name for a session's standalone (GET) stream; kept for event ids. */
export const STANDALONE_STREAM_ID = '_GET_stream';

/**
 * The standalone GET streams this replica holds, by session. Notifications that belong to
 * no request (`list_changed`, `resources/updated`) are appended to the session's
 * standalone stream in the event store; whichever replica holds the client's GET follows
 * that stream and writes them, and a client that reconnects with `Last-Event-ID` (to any
 * replica) gets what it missed.
 */
@Injectable()
export class StandaloneStreamRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(StandaloneStreamRegistry.name);
  private readonly streams = new Map<string, StreamCursor>();

  private readonly events: EventStore;

  constructor(ports: McpPorts) {
    this.events = ports.events;
  }

  has(sessionId: string): boolean {
    return this.streams.get(sessionId)?.writer.open ?? false;
  }

  /**
   * Opens the session's stream on `res` and follows it; with `lastEventId`, first replays
   * what came after it. False (nothing written) when that id is unknown or expired.
   */
  async open(sessionId: string, res: ServerResponse, headers: Record<string, string>, lastEventId?: string, lastSequence = -1): Promise<boolean> {
    const streamKey = streamKeyOf(sessionId, STANDALONE_STREAM_ID);
    const early: Array<Parameters<StreamCursor['push']>[0]> = [];
    let cursor: StreamCursor | undefined;
    // Follow first, then read: nothing appended in between is missed (the cursor dedupes).
    const unsubscribe = await this.events.subscribe(streamKey, (event) => {
      if (event === 'complete') return void (cursor ? cursor.writer.end() : res.destroy());
      if (cursor) cursor.push(event);
      else early.push(event);
    });
    let replayed: Parameters<StreamCursor['replayed']>[0] = [];
    if (lastEventId !== undefined) {
      const replay = await this.events.after(lastEventId).catch((error: Error) => {
        unsubscribe();
        throw error;
      });
      if (!replay) {
        unsubscribe();
        return false;
      }
      replayed = replay.events;
    }
    cursor = new StreamCursor(new SseWriter(res, headers), lastSequence, true);
    this.streams.set(sessionId, cursor);
    res.once('close', () => {
      unsubscribe();
      if (this.streams.get(sessionId) === cursor) this.streams.delete(sessionId);
    });
    cursor.replayed([...replayed, ...early]);
    return true;
  }

  /** Ends this replica's stream of a session. */
  close(sessionId: string): void {
    const cursor = this.streams.get(sessionId);
    this.streams.delete(sessionId);
    cursor?.writer.end();
  }

  /** Stores a notification in the session's standalone stream; its holder (any replica) writes it. */
  async notify(sessionId: string, notification: Record<string, unknown>): Promise<void> {
    await this.events.append(streamKeyOf(sessionId, STANDALONE_STREAM_ID), { jsonrpc: '2.0', ...notification });
  }

  /**
   * Ends the session's standalone stream wherever it is held (DELETE). The end marker only has
   * to reach the holder: with the session gone nobody can resume, so it is kept a second, not
   * the completed-stream TTL (a churning client would otherwise leave one per session).
   */
  async end(sessionId: string): Promise<void> {
    this.close(sessionId);
    await this.events.complete(streamKeyOf(sessionId, STANDALONE_STREAM_ID), 1);
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

  onApplicationShutdown(): void {
    this.closeAll();
  }
}
