import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DRAIN_TIMEOUT_MS } from './lifecycle.constants';
import { LifecycleService } from './lifecycle.service';

/** How often the drain looks whether in-flight requests are done. */
const DRAIN_POLL_MS = 50;

/**
 * After the last in-flight request, how long keep-alive connections may stay open for their
 * clients' next request, which is answered with `Connection: close`: a busy client moves to
 * another replica without a request lost on a connection closed under it.
 */
const KEEP_ALIVE_LINGER_MS = 1000;

/** Probes and scrapes: not waited for, and they must keep answering while draining. */
const PROBE_PATH = /\/(metrics|health(\/[^/]*)?)$/;

/**
 * Drains the replica on shutdown (`app.close()`, or SIGTERM with `enableShutdownHooks()`):
 * readiness turns 503 at once ({@link LifecycleService}), the server keeps answering while
 * in-flight requests finish, then long-lived SSE streams still open are ended cleanly so
 * their clients reconnect elsewhere. Then Nest closes the HTTP server and the stores.
 */
@Injectable()
export class GracefulShutdown implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(GracefulShutdown.name);
  /** Requests that end on their own (POST, DELETE, GET of a document). */
  private readonly requests = new Set<ServerResponse>();
  /** Long-lived event streams (`GET` with `Accept: text/event-stream`): they end only when closed. */
  private readonly streams = new Set<ServerResponse>();
  private readonly connections = new Set<Socket>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly lifecycle: LifecycleService,
    @Optional() @Inject(DRAIN_TIMEOUT_MS) private readonly drainTimeoutMs: number = 10_000,
  ) {}

  private completed?: boolean;

  /**
   * `app.close()` (or a signal, with `app.enableShutdownHooks()`): drain before the HTTP
   * server closes. Every other teardown of the platform runs after, in `onApplicationShutdown`.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.completed = await this.drain(this.drainTimeoutMs);
  }

  /** After shutdown: whether every in-flight request finished within the drain timeout. */
  get drainedCleanly(): boolean {
    return this.completed !== false;
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    server?.on('request', (req: IncomingMessage, res: ServerResponse) => this.track(req, res));
    server?.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  /** Requests being served now, probes and scrapes aside. */
  get inFlight(): number {
    return this.requests.size;
  }

  /** Open event streams. */
  get openStreams(): number {
    return this.streams.size;
  }

  /**
   * Starts draining and waits up to `timeoutMs` for in-flight requests, then ends the
   * streams left open. Resolves true when every request finished in time.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // Keep-alive connections end with their current answer (and those answered during the
    // drain with theirs): a client then sends its next request on a new connection, to a
    // replica that is not going away, instead of on one this replica closes under it.
    // Drain listeners (the MCP edge refusing new sessions, closing its streams) get the same deadline.
    await Promise.race([this.lifecycle.beginDrain(), sleep(timeoutMs, undefined, { ref: false })]);
    if (this.requests.size > 0) this.logger.log(`waiting for ${this.requests.size} in-flight request(s)`);
    while (this.requests.size > 0 && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
    const unfinished = this.requests.size;
    const linger = Math.min(deadline, Date.now() + KEEP_ALIVE_LINGER_MS);
    while (this.connections.size > this.streams.size && Date.now() < linger) await sleep(DRAIN_POLL_MS);
    if (unfinished > 0) this.logger.warn(`${unfinished} request(s) still running after ${timeoutMs} ms: closing anyway`);
    if (this.streams.size > 0) this.logger.log(`closing ${this.streams.size} open event stream(s)`);
    for (const stream of this.streams) stream.end();
    return unfinished === 0;
  }

  private track(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?', 1)[0];
    if (PROBE_PATH.test(path)) return;
    const isStream = req.method === 'GET' && (req.headers.accept ?? '').includes('text/event-stream');
    const set = isStream ? this.streams : this.requests;
    if (this.lifecycle.draining) res.setHeader('Connection', 'close');
    set.add(res);
    res.once('close', () => set.delete(res));
  }
}
