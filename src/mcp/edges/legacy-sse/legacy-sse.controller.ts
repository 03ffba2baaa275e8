import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { rawRequest, rawResponse, takeOverResponse } from '../../../common/http-objects';
import { McpEdgeContext } from '../http/mcp-edge.context';
import { JsonRpcExceptionFilter } from '../http/json-rpc-exception.filter';
import { readJsonRpcBody } from '../http/json-rpc.body';
import { LegacySseHandler } from './legacy-sse.handler';


/** The legacy HTTP+SSE transport: `GET /sse`, `POST /messages` and their tenant forms. */
@Controller()
@UseFilters(JsonRpcExceptionFilter)
export class LegacySseController {
  constructor(
    private readonly handler: LegacySseHandler,
    private readonly edge: McpEdgeContext,
  ) {}

  @Get(['sse', 'tenants/:tenantId/sse'])
  async connect(@Req() request: object, @Res() reply: object, @Param('tenantId') tenantId?: string): Promise<void> {
    takeOverResponse(reply);
    const [req, res] = [rawRequest(request), rawResponse(reply)];
    const base = this.edge.baseContext(request, req, res, tenantId);
    const messagesPath = tenantId === undefined ? '/messages' : `/tenants/${encodeURIComponent(tenantId)}/messages`;
    await this.handler.connect(res, base, messagesPath);
  }

  @Post(['messages', 'tenants/:tenantId/messages'])
  async message(@Req() request: object, @Res() reply: object, @Param('tenantId') tenantId?: string): Promise<void> {
    takeOverResponse(reply);
    const [req, res] = [rawRequest(request), rawResponse(reply)];
    const base = this.edge.baseContext(request, req, res, tenantId);
    const body = await readJsonRpcBody(req, this.edge.bodyLimitBytes);
    await this.handler.message(req, res, base, body);
  }
}
