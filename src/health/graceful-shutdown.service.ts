import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LifecycleService } from '../lifecycle';
import { METRICS_PATH } from '../metrics';
import { DRAIN_POLL_MS, HealthPath } from './health.constants';

/**
 * Drains the replica on SIGTERM: readiness turns 503 at once ({@link LifecycleService}),
 * the server keeps answering while in-flight requests finish, then long-lived SSE streams
 * still open are ended cleanly so their clients reconnect elsewhere. `main.ts` then closes
 * the app (store connections quit) and exits.
 */
@Injectable()
export class GracefulShutdown implements OnApplicationBootstrap {
  private readonly logger = new Logger(GracefulShutdown.name);
  /** Requests that end on their own (POST, DELETE, GET of a document). */
  private readonly requests = new Set<ServerResponse>();
  /** Long-lived event streams (`GET` with `Accept: text/event-stream`): they end only when closed. */
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly lifecycle: LifecycleService,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    server?.on('request', (req: IncomingMessage, res: ServerResponse) => this.track(req, res));
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
    // Drain listeners (the MCP edge refusing new sessions, closing its streams) get the same deadline.
    await Promise.race([this.lifecycle.beginDrain(), sleep(timeoutMs, undefined, { ref: false })]);
    if (this.requests.size > 0) this.logger.log(`waiting for ${this.requests.size} in-flight request(s)`);
    while (this.requests.size > 0 && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
    const unfinished = this.requests.size;
    if (unfinished > 0) this.logger.warn(`${unfinished} request(s) still running after ${timeoutMs} ms: closing anyway`);
    if (this.streams.size > 0) this.logger.log(`closing ${this.streams.size} open event stream(s)`);
    for (const stream of this.streams) stream.end();
    return unfinished === 0;
  }

  private track(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path === METRICS_PATH || path === HealthPath.ROOT || path.startsWith(`${HealthPath.ROOT}/`)) return;
    const isStream = req.method === 'GET' && (req.headers.accept ?? '').includes('text/event-stream');
    const set = isStream ? this.streams : this.requests;
    set.add(res);
    res.once('close', () => set.delete(res));
  }
}
