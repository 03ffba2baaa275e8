import { Controller, Delete, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { rawRequest, rawResponse, takeOverResponse } from '../common/http-objects';
import { JsonRpcExceptionFilter } from './json-rpc-exception.filter';
import { isJsonContentType, readJsonRpcBody } from './json-rpc.body';
import { McpEdgeContext } from './mcp-edge.context';
import { StreamableHttpHandler } from './streamable-http.handler';

const MCP_PATHS = ['mcp', 'tenants/:tenantId/mcp'];

/** The framework's request (Express: Node's own; Fastify: a wrapper), with what the guards left. */
type FrameworkRequest = object;

/** The Streamable HTTP endpoint: `POST/GET/DELETE /mcp` and `/tenants/{tenantId}/mcp`. */
@Controller()
@UseFilters(JsonRpcExceptionFilter)
export class McpController {
  constructor(
    private readonly handler: StreamableHttpHandler,
    private readonly edge: McpEdgeContext,
  ) {}

  @Post(MCP_PATHS)
  async post(@Req() request: FrameworkRequest, @Res() reply: object, @Param('tenantId') tenantId?: string): Promise<void> {
    const [req, res] = this.take(request, reply);
    const base = this.edge.baseContext(request, req, res, tenantId);
    if (!isJsonContentType(req.headers['content-type'])) return this.handler.refuse(req, res);
    const body = await readJsonRpcBody(req, this.edge.bodyLimitBytes);
    await this.handler.post(req, res, body, base);
  }

  @Get(MCP_PATHS)
  async get(@Req() request: FrameworkRequest, @Res() reply: object, @Param('tenantId') tenantId?: string): Promise<void> {
    const [req, res] = this.take(request, reply);
    await this.handler.get(req, res, this.edge.baseContext(request, req, res, tenantId));
  }

  @Delete(MCP_PATHS)
  async delete(@Req() request: FrameworkRequest, @Res() reply: object, @Param('tenantId') tenantId?: string): Promise<void> {
    const [req, res] = this.take(request, reply);
    await this.handler.delete(req, res, this.edge.baseContext(request, req, res, tenantId));
  }

  private take(request: FrameworkRequest, reply: object) {
    takeOverResponse(reply);
    return [rawRequest(request), rawResponse(reply)] as const;
  }
}
