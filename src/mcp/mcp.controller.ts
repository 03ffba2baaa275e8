import { Controller, Delete, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonRpcExceptionFilter } from './json-rpc-exception.filter';
import { isJsonContentType, readJsonRpcBody } from './json-rpc.body';
import { McpEdgeContext } from './mcp-edge.context';
import { StreamableHttpHandler } from './streamable-http.handler';

const MCP_PATHS = ['mcp', 'tenants/:tenantId/mcp'];

type McpRequest = IncomingMessage & { id?: string | number };

/** The Streamable HTTP endpoint: `POST/GET/DELETE /mcp` and `/tenants/{tenantId}/mcp`. */
@Controller()
@UseFilters(JsonRpcExceptionFilter)
export class McpController {
  constructor(
    private readonly handler: StreamableHttpHandler,
    private readonly edge: McpEdgeContext,
  ) {}

  @Post(MCP_PATHS)
  async post(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    const base = this.edge.baseContext(req, res, tenantId);
    if (!isJsonContentType(req.headers['content-type'])) return this.handler.refuse(req, res);
    const body = await readJsonRpcBody(req, this.edge.bodyLimitBytes);
    await this.handler.post(req, res, body, base);
  }

  @Get(MCP_PATHS)
  async get(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    await this.handler.get(req, res, this.edge.baseContext(req, res, tenantId));
  }

  @Delete(MCP_PATHS)
  async delete(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    await this.handler.delete(req, res, this.edge.baseContext(req, res, tenantId));
  }
}
