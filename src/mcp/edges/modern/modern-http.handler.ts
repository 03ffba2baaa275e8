import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { type McpHttpHandler, createMcpHandler } from '@modelcontextprotocol/server';
import { McpRegistry } from '../../discovery/mcp.registry';
import { InjectMcpOptions } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { McpBaseContext } from '../streamable-http/streamable-http.handler';
import { ModernServerFactory } from './modern-server.factory';
import { ModernEventBus } from './modern-event.bus';
import { ModernToolCallFastPath } from './modern-tool-call.fast-path';
import { protocolEra } from './protocol-era';

/** A web Request for the v2 handler: headers, method, URL and the abort signal; the body goes as parsed. */
function webRequestOf(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || name === 'content-length' || name === 'transfer-encoding') continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const host = (Array.isArray(req.headers.host) ? req.headers.host[0] : req.headers.host) ?? 'localhost';
  return new Request(`http://${host}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, signal });
}

/** Writes an SSE body as it comes, waiting for the socket to drain; stops when the client goes. */
async function streamTo(res: ServerResponse, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  const closed = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    for await (const chunk of body) {
      if (signal.aborted) break;
      if (!res.write(chunk)) await Promise.race([new Promise<void>((resolve) => res.once('drain', () => resolve())), closed]);
    }
  } catch {
    // The client went away mid-stream: nothing more to write.
  }
}

function requestIdOf(body: unknown): string | number | null {
  const id = (body as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** What the v2 handler passes from the HTTP request to the server factory (`req.auth`). */
interface ModernAuth {
  token: string;
  clientId: string;
  scopes: string[];
  extra: { mcp: McpBaseContext };
}

/**
 * The 2026-07-28 leg of the MCP endpoint: the v2 SDK's `createMcpHandler`, built once,
 * given each request the edge classifies as modern (after the route guards, the Host and
 * Origin check and the body read, which both legs share). The SDK checks the revision's
 * headers and envelope, answers `server/discover`, refuses removed methods, frames results
 * (`resultType`, caching hints) and streams progress and logs on the request's own response.
 */
@Injectable()
export class ModernHttpHandler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('McpModern');
  private readonly web: McpHttpHandler;

  constructor(
    factory: ModernServerFactory,
    private readonly registry: McpRegistry,
    private readonly events: ModernEventBus,
    private readonly fastPath: ModernToolCallFastPath,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {
    this.web = createMcpHandler(({ authInfo }) => factory.build((authInfo as unknown as ModernAuth).extra.mcp), {
      // 2025 traffic never reaches this handler in `dual` mode; in `modern` mode it is refused.
      legacy: 'reject',
      responseMode: options.responseMode,
      maxRequestBodySize: options.bodyLimitBytes,
      // Listen streams hear of changes made on any replica.
      bus: events,
      onerror: (error: Error) => this.logger.debug({ msg: '2026-07-28 request failed', error: error.message }),
    });
  }

  get enabled(): boolean {
    return this.options.protocol !== 'legacy';
  }

  onModuleInit(): void {
    // Every replica changes its own registry: its own listen streams hear of it.
    this.registry.onChange((kind) => this.events.publishHere({ kind: `${kind}_list_changed` }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.web.close().catch(() => undefined);
  }

  /** Whether this request is for the 2026-07-28 leg. */
  claims(req: IncomingMessage, body: unknown): boolean {
    return this.enabled && protocolEra(req, body, this.options.protocol) === 'modern';
  }

  /**
   * Hands the request to the v2 handler and writes its answer. Like the SDK's
   * `toNodeHandler`, but the body the edge has already read is passed as parsed (not
   * serialised again into the web Request), and a JSON answer goes out in one write with its
   * length instead of chunk by chunk; SSE answers are streamed with backpressure.
   */
  async serve(req: IncomingMessage, res: ServerResponse, body: unknown, base: McpBaseContext): Promise<void> {
    if (this.fastPath.accepts(req, body)) return this.fastPath.serve(req, res, body, base);
    const auth: ModernAuth = {
      token: '',
      clientId: base.principal?.id ?? 'anonymous',
      scopes: [...(base.principal?.permissions ?? [])],
      extra: { mcp: base },
    };
    const abort = new AbortController();
    let finished = false;
    res.once('close', () => {
      if (!finished) abort.abort();
    });
    let response: Response;
    try {
      response = await this.web.fetch(webRequestOf(req, abort.signal), { authInfo: auth as never, ...(body !== undefined && { parsedBody: body }) });
    } catch (error) {
      this.logger.warn({ msg: '2026-07-28 request failed', requestId: base.requestId, error: (error as Error).message });
      response = Response.json({ jsonrpc: '2.0', id: requestIdOf(body), error: { code: -32603, message: 'Internal error' } }, { status: 500 });
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name] = value;
    if (response.body === null) {
      finished = true;
      res.writeHead(response.status, headers).end();
      return;
    }
    if (!(headers['content-type'] ?? '').startsWith('text/event-stream')) {
      const text = await response.text();
      finished = true;
      headers['content-length'] = String(Buffer.byteLength(text));
      res.writeHead(response.status, headers).end(text);
      return;
    }
    res.writeHead(response.status, headers);
    await streamTo(res, response.body, abort.signal);
    finished = true;
    res.end();
  }
}
