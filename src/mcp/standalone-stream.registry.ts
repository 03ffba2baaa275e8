import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js';

interface OpenStream {
  server: Server;
  close(): void;
}

/**
 * The standalone GET streams this replica holds, by session: where notifications that
 * belong to no request (`list_changed`) are written.
 */
@Injectable()
export class StandaloneStreamRegistry implements OnModuleDestroy {
  private readonly logger = new Logger(StandaloneStreamRegistry.name);
  private readonly streams = new Map<string, OpenStream>();

  has(sessionId: string): boolean {
    return this.streams.has(sessionId);
  }

  add(sessionId: string, stream: OpenStream): void {
    this.streams.set(sessionId, stream);
  }

  remove(sessionId: string, server: Server): void {
    if (this.streams.get(sessionId)?.server === server) this.streams.delete(sessionId);
  }

  /** Ends the session's stream (DELETE, shutdown). */
  close(sessionId: string): void {
    const stream = this.streams.get(sessionId);
    this.streams.delete(sessionId);
    stream?.close();
  }

  async notify(sessionId: string, notification: ServerNotification): Promise<boolean> {
    const stream = this.streams.get(sessionId);
    if (!stream) return false;
    await stream.server.notification(notification);
    return true;
  }

  async broadcast(notification: ServerNotification): Promise<void> {
    await Promise.all(
      [...this.streams.entries()].map(([sessionId, stream]) =>
        stream.server.notification(notification).catch((error: Error) => {
          this.logger.warn({ msg: 'notification to standalone stream failed', sessionId, error: error.message });
        }),
      ),
    );
  }

  get size(): number {
    return this.streams.size;
  }

  onModuleDestroy(): void {
    for (const sessionId of [...this.streams.keys()]) this.close(sessionId);
  }
}
