import type { ServerResponse } from 'node:http';

const KEEP_ALIVE_MS = 15_000;

/**
 * Writes a Server-Sent Events response: `id`/`event`/`data` frames, comments as keep-alives
 * (so proxies do not cut idle streams), and a clean end.
 */
export class SseWriter {
  private keepAlive?: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    headers: Record<string, string> = {},
    private readonly options: { batchFirstWrites?: boolean; keepAliveMs?: number } = {},
  ) {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const socket = res.socket;
    if (options.batchFirstWrites && socket) {
      // Headers, events and the end written in this turn of the event loop leave as one
      // write; only a stream still open after it needs keep-alives (most answers are done by
      // then). The socket is corked, not the response: Node 24's response cork drops what is
      // written after its first write when the response ends while corked.
      socket.cork();
      setImmediate(() => {
        socket.uncork();
        this.startKeepAlive();
      });
    } else {
      // A stream that may stay quiet: the client gets the headers now.
      res.flushHeaders();
      this.startKeepAlive();
    }
  }

  get open(): boolean {
    return !this.ended && !this.res.writableEnded && !this.res.destroyed;
  }

  /** Writes one JSON-RPC message; returns false when the stream is gone. */
  message(message: object, eventId?: string): boolean {
    if (!this.open) return false;
    const id = eventId === undefined ? '' : `id: ${eventId}\n`;
    const data = jsonOrError(message);
    if (data === undefined) return true;
    return this.res.write(`${id}event: message\ndata: ${data}\n\n`) || true;
  }

  /** A priming event: an id (and reconnection delay) without data (SEP-1699). */
  prime(eventId: string, retryMs?: number): void {
    if (!this.open) return;
    this.res.write(`id: ${eventId}\n${retryMs === undefined ? '' : `retry: ${retryMs}\n`}data: \n\n`);
  }

  comment(text: string): void {
    if (this.open) this.res.write(`: ${text}\n\n`);
  }

  end(): void {
    if (!this.open) return;
    this.stop();
    this.res.end();
  }

  private startKeepAlive(): void {
    if (!this.open) return;
    this.keepAlive = setInterval(() => this.comment('keep-alive'), this.options.keepAliveMs ?? KEEP_ALIVE_MS);
    this.keepAlive.unref();
    this.res.once('close', () => this.stop());
  }

  private stop(): void {
    this.ended = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
  }
}

/**
 * A message as JSON; for an answer JSON cannot write (a BigInt, a cycle that slipped through
 * in `_meta`), a -32603 error for its id instead, so the request is still answered. A
 * notification that cannot be written is dropped (undefined).
 */
export function jsonOrError(message: object): string | undefined {
  try {
    return JSON.stringify(message);
  } catch {
    const id = (message as { id?: unknown }).id;
    if (id === undefined) return undefined;
    return JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error: the answer could not be written as JSON' } });
  }
}
