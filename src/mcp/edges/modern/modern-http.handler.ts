import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { type McpHttpHandler, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpRegistry } from '../../discovery/mcp.registry';
import { InjectMcpOptions } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { McpBaseContext } from '../streamable-http/streamable-http.handler';
import { ModernServerFactory } from './modern-server.factory';
import { ModernEventBus } from './modern-event.bus';
import { protocolEra } from './protocol-era';

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
  private readonly node: (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<void>;

  constructor(
    factory: ModernServerFactory,
    private readonly registry: McpRegistry,
    private readonly events: ModernEventBus,
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
    this.node = toNodeHandler(this.web);
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

  async serve(req: IncomingMessage, res: ServerResponse, body: unknown, base: McpBaseContext): Promise<void> {
    const auth: ModernAuth = {
      token: '',
      clientId: base.principal?.id ?? 'anonymous',
      scopes: [...(base.principal?.permissions ?? [])],
      extra: { mcp: base },
    };
    (req as IncomingMessage & { auth?: ModernAuth }).auth = auth;
    await this.node(req, res, body);
  }
}
