import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TenantResolver } from '../../../tenant';
import { McpPorts } from '../../mcp.ports';
import { HostOriginValidator } from './host-origin.validator';
import { InjectMcpOptions } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import type { McpBaseContext } from '../streamable-http/streamable-http.handler';
import { NOOP_OBSERVER } from '../../execution/mcp-observer.provider';
import { MCP_OBSERVER, McpObserver } from '../../interfaces/mcp-observer.interface';
import { MCP_CALL_BUDGET, McpCallBudget } from '../../interfaces/mcp-call-budget.interface';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** What every MCP route does first: Host/Origin check, tenant, and the request's base context. */
@Injectable()
export class McpEdgeContext {
  private readonly hosts: HostOriginValidator;
  private readonly observer: McpObserver;
  private readonly tenants: TenantResolver;

  constructor(
    ports: McpPorts,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
    @Optional() @Inject(MCP_OBSERVER) observer?: McpObserver,
    @Optional() @Inject(MCP_CALL_BUDGET) private readonly budget?: McpCallBudget,
  ) {
    this.tenants = ports.tenants;
    this.hosts = new HostOriginValidator(options.allowedHosts, options.allowedOrigins);
    this.observer = observer ?? NOOP_OBSERVER;
  }

  get bodyLimitBytes(): number {
    return this.options.bodyLimitBytes;
  }

  get maxBatchSize(): number {
    return this.options.maxBatchSize;
  }

  /** A batch's calls count against the caller's rate limits like single requests (the guard counted one). */
  async chargeBatch(request: object, reply: object, body: JSONRPCMessage | JSONRPCMessage[]): Promise<void> {
    if (this.budget && Array.isArray(body) && body.length > 1) await this.budget.charge(request, reply, body.length - 1);
  }

  /** `request` is the framework's request (where guards leave their results), `req`/`res` Node's. */
  baseContext(request: object, req: IncomingMessage, res: ServerResponse, pathTenantId: string | undefined): McpBaseContext {
    const receivedAt = performance.now();
    this.observeExchange(req, res, pathTenantId);
    this.hosts.assertAllowed(req.headers.host, req.headers.origin);
    // The guard chain (AuthModule) resolved who calls and for which tenant; without it, anonymous.
    const access = (request as { mcpAccess?: RequestAccessLike }).mcpAccess;
    const { tenantId, userId } = access ?? this.tenants.resolve(pathTenantId, req.headers);
    return {
      requestId: String((req as { id?: unknown }).id ?? (request as { id?: unknown }).id ?? ''),
      tenantId,
      userId,
      ...(access && { principal: access.principal }),
      headers: flattenHeaders(req.headers),
      nodeId: this.options.nodeId,
      receivedAt,
    };
  }

  /** Reports the exchange's sizes and status once its response is done (bytes on the socket). */
  private observeExchange(req: IncomingMessage, res: ServerResponse, tenantId: string | undefined): void {
    const socket = req.socket;
    const writtenBefore = socket.bytesWritten;
    res.once('close', () => {
      this.observer.exchangeFinished({
        httpMethod: req.method ?? 'UNKNOWN',
        status: res.statusCode,
        requestBytes: Number(req.headers['content-length'] ?? 0) || 0,
        responseBytes: Math.max(0, socket.bytesWritten - writtenBefore),
        tenantId,
      });
    });
  }
}

/** Reports the exchange's size and status once its response is done. */
/** What AuthModule's guard leaves on the request (`mcpAccess`). */
interface RequestAccessLike {
  principal: { id: string; kind: string; permissions: readonly string[] };
  tenantId?: string;
  userId?: string;
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
