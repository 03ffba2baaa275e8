import { Injectable, OnModuleInit, UseGuards } from '@nestjs/common';
import { InjectMcpOptions } from '../../mcp.constants';
import type { McpModuleOptions } from '../../mcp-module-options.interface';
import { readJsonRpcBody } from '../http/json-rpc.body';
import { McpEdgeContext } from '../http/mcp-edge.context';
import { McpRouteGuard } from '../http/mcp-route.guard';
import { FrameworkReply, FrameworkRequest, McpRouteMounter, joinPath } from '../http/mcp-route.mounter';
import { take } from '../streamable-http/mcp-http.endpoint';
import { LegacySseHandler } from './legacy-sse.handler';

/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05): `GET /sse` opens the stream and
 * names the message endpoint, `POST /messages?sessionId=…` carries the client's messages;
 * both with their tenant forms, behind the MCP route guards. Off with `legacySse: false`.
 */
@Injectable()
@UseGuards(McpRouteGuard)
export class LegacySseEndpoint implements OnModuleInit {
  constructor(
    private readonly mounter: McpRouteMounter,
    private readonly handler: LegacySseHandler,
    private readonly edge: McpEdgeContext,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {}

  onModuleInit(): void {
    const { legacySse, tenantPrefix } = this.options;
    if (legacySse === false || !this.mounter.available) return;
    const withTenant = (path: string) => [path, ...(tenantPrefix === false ? [] : [joinPath(tenantPrefix, path)])];
    this.mounter.mount(this, [
      { verb: 'get', paths: withTenant(legacySse.ssePath), handle: this.connect },
      { verb: 'post', paths: withTenant(legacySse.messagesPath), handle: this.message },
    ]);
  }

  async connect(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    const tenantId = request.params?.tenantId;
    const base = this.edge.baseContext(request, req, res, tenantId);
    await this.handler.connect(res, base, this.messagesPath(tenantId));
  }

  async message(request: FrameworkRequest, reply: FrameworkReply): Promise<void> {
    const [req, res] = take(request, reply);
    const base = this.edge.baseContext(request, req, res, request.params?.tenantId);
    const body = await readJsonRpcBody(req, this.edge.bodyLimitBytes, request.body, this.edge.maxBatchSize);
    await this.edge.chargeBatch(request, reply, body);
    await this.handler.message(req, res, base, body);
  }

  /** Where this client POSTs its messages, as it must address them (global prefix included). */
  private messagesPath(tenantId: string | undefined): string {
    const { legacySse, tenantPrefix } = this.options;
    const path = (legacySse as { messagesPath: string }).messagesPath;
    if (tenantId === undefined || tenantPrefix === false) return this.mounter.fullPath(path);
    return this.mounter.fullPath(joinPath(tenantPrefix.replace(':tenantId', encodeURIComponent(tenantId)), path));
  }
}
