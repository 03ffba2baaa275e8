import { Injectable, OnModuleInit, UseGuards } from '@nestjs/common';
import { rawRequest, rawResponse, takeOverResponse } from '../../../common/http-objects';
import { InjectMcpOptions } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { isJsonContentType, readJsonRpcBody } from '../http/json-rpc.body';
import { McpEdgeContext } from '../http/mcp-edge.context';
import { McpRouteGuard } from '../http/mcp-route.guard';
import { FrameworkReply, FrameworkRequest, McpRouteMounter, joinPath } from '../http/mcp-route.mounter';
import { StreamableHttpHandler } from './streamable-http.handler';
import { ModernHttpHandler } from '../modern/modern-http.handler';

/**
 * The Streamable HTTP endpoint: `POST/GET/DELETE` on `path` (default `/mcp`) and its tenant
 * form (default `/tenants/{tenantId}/mcp`), mounted at module init behind the MCP route
 * guards (see {@link McpRouteMounter}). Each POST goes to the 2025 leg (sessions, v1 SDK)
 * or the 2026-07-28 leg (v2 SDK) by what it claims (`protocol: dual`).
 */
@Injectable()
@UseGuards(McpRouteGuard)
export class McpHttpEndpoint implements OnModuleInit {
  private readonly paths: string[];
  private readonly protocol: McpModuleOptions['protocol'];

  constructor(
    private readonly mounter: McpRouteMounter,
    private readonly handler: StreamableHttpHandler,
    private readonly edge: McpEdgeContext,
    private readonly modern: ModernHttpHandler,
    @InjectMcpOptions() options: McpModuleOptions,
  ) {
    this.protocol = options.protocol;
    this.paths = [options.path, ...(options.tenantPrefix === false ? [] : [joinPath(options.tenantPrefix, options.path)])];
  }

  onModuleInit(): void {
    if (!this.mounter.available) return;
    this.mounter.mount(this, [
      { verb: 'post', paths: this.paths, handle: this.post },
      { verb: 'get', paths: this.paths, handle: this.get },
      { verb: 'delete', paths: this.paths, handle: this.delete },
    ]);
  }

  async post(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    const base = this.edge.baseContext(request, req, res, request.params?.tenantId);
    if (!isJsonContentType(req.headers['content-type'])) return this.handler.refuse(req, res);
    const body = await readJsonRpcBody(req, this.edge.bodyLimitBytes, request.body, this.edge.maxBatchSize);
    await this.edge.chargeBatch(request, reply, body);
    if (this.modern.claims(req, body)) return this.modern.serve(req, res, body, base);
    await this.handler.post(req, res, body, base);
  }

  async get(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    const base = this.edge.baseContext(request, req, res, request.params?.tenantId);
    // 2026-07-28 has no GET stream: with only that revision on, its handler answers 405.
    if (this.protocol === 'modern') return this.modern.serve(req, res, undefined, base);
    await this.handler.get(req, res, base);
  }

  async delete(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    const base = this.edge.baseContext(request, req, res, request.params?.tenantId);
    if (this.protocol === 'modern') return this.modern.serve(req, res, undefined, base);
    await this.handler.delete(req, res, base);
  }
}

/** Fastify: the endpoint writes the Node response itself. */
export function take(request: FrameworkRequest, reply: FrameworkReply) {
  takeOverResponse(reply);
  return [rawRequest(request), rawResponse(reply)] as const;
}
