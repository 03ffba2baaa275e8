import { Controller, Delete, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { TenantResolver } from '../tenant/tenant.resolver';
import { HostOriginValidator } from './host-origin.validator';
import { InjectMcpOptions } from './mcp.constants';
import type { McpModuleOptions } from './mcp-module-options.interface';
import { JsonRpcExceptionFilter } from './json-rpc-exception.filter';
import { isJsonContentType, readJsonRpcBody } from './json-rpc.body';
import { McpBaseContext, StreamableHttpHandler } from './streamable-http.handler';

const MCP_PATHS = ['mcp', 'tenants/:tenantId/mcp'];

type McpRequest = IncomingMessage & { id?: string | number };

/** The Streamable HTTP endpoint: `POST/GET/DELETE /mcp` and `/tenants/{tenantId}/mcp`. */
@Controller()
@UseFilters(JsonRpcExceptionFilter)
export class McpController {
  private readonly hosts: HostOriginValidator;

  constructor(
    private readonly handler: StreamableHttpHandler,
    private readonly tenants: TenantResolver,
    @InjectMcpOptions() private readonly options: McpModuleOptions,
  ) {
    this.hosts = new HostOriginValidator(options.allowedHosts, options.allowedOrigins);
  }

  @Post(MCP_PATHS)
  async post(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    const base = this.baseContext(req, tenantId);
    if (!isJsonContentType(req.headers['content-type'])) return this.handler.refuse(req, res);
    const body = await readJsonRpcBody(req, this.options.bodyLimitBytes);
    await this.handler.post(req, res, body, base);
  }

  @Get(MCP_PATHS)
  async get(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    await this.handler.get(req, res, this.baseContext(req, tenantId));
  }

  @Delete(MCP_PATHS)
  async delete(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    await this.handler.delete(req, res, this.baseContext(req, tenantId));
  }

  private baseContext(req: McpRequest, pathTenantId: string | undefined): McpBaseContext {
    const receivedAt = performance.now();
    this.hosts.assertAllowed(req.headers.host, req.headers.origin);
    const { tenantId, userId } = this.tenants.resolve(pathTenantId, req.headers);
    return {
      requestId: String(req.id ?? ''),
      tenantId,
      userId,
      headers: flattenHeaders(req.headers),
      nodeId: this.options.nodeId,
      receivedAt,
    };
  }
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
