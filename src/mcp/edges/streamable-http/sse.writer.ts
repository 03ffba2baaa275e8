import type { ServerResponse } from 'node:http';

const KEEP_ALIVE_MS = 15_000;

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
} as const;

/** The SSE headers, with `Connection: keep-alive` unless the response already says (a draining replica says `close`). */
function sseHeaders(res: ServerResponse, headers: Record<string, string>): Record<string, string> {
  return res.hasHeader('connection') ? { ...headers, ...SSE_HEADERS } : { ...headers, ...SSE_HEADERS, Connection: 'keep-alive' };
}

/**
 * Writes a Server-Sent Events response: `id`/`event`/`data` frames, comments as keep-alives
 * (so proxies do not cut idle streams), and a clean end.
 */
export class SseWriter {
  private keepAlive?: NodeJS.Timeout;
  private ended = false;
  /**
   * Frames written in the first turn of the event loop, held back (with the headers): an answer
   * that ends in that turn (most calls) leaves as one `end()` with a Content-Length, one socket
   * write and no chunked framing. Undefined once the stream is flowing.
   */
  private held?: string;

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string> = {},
    private readonly options: { batchFirstWrites?: boolean; keepAliveMs?: number } = {},
  ) {
    if (options.batchFirstWrites) {
      this.held = '';
      setImmediate(() => this.flow());
    } else {
      // A stream that may stay quiet: the client gets the headers now.
      res.writeHead(200, sseHeaders(res, headers));
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
    this.send(`${id}event: message\ndata: ${data}\n\n`);
    return true;
  }

  /** A priming event: an id (and reconnection delay) without data (SEP-1699). */
  prime(eventId: string, retryMs?: number): void {
    if (!this.open) return;
    this.send(`id: ${eventId}\n${retryMs === undefined ? '' : `retry: ${retryMs}\n`}data: \n\n`);
  }

  comment(text: string): void {
    if (this.open) this.send(`: ${text}\n\n`);
  }

  end(): void {
    if (!this.open) return;
    this.stop();
    const held = this.held;
    if (held === undefined) {
      this.res.end();
      return;
    }
    this.held = undefined;
    this.res.writeHead(200, { ...sseHeaders(this.res, this.headers), 'Content-Length': String(Buffer.byteLength(held)) }).end(held);
  }

  private send(frame: string): void {
    if (this.held !== undefined) this.held += frame;
    else this.res.write(frame);
  }

  /** After the first turn: the headers and what was held go out, and the stream flows. */
  private flow(): void {
    const held = this.held;
    if (held === undefined || !this.open) return;
    this.held = undefined;
    this.res.writeHead(200, sseHeaders(this.res, this.headers));
    if (held === '') this.res.flushHeaders();
    else this.res.write(held);
    this.startKeepAlive();
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
