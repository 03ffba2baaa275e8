import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpEdgeContext } from './mcp-edge.context';
import { JsonRpcExceptionFilter } from './json-rpc-exception.filter';
import { readJsonRpcBody } from './json-rpc.body';
import { LegacySseHandler } from './legacy-sse.handler';

type McpRequest = IncomingMessage & { id?: string | number };

/** The legacy HTTP+SSE transport: `GET /sse`, `POST /messages` and their tenant forms. */
@Controller()
@UseFilters(JsonRpcExceptionFilter)
export class LegacySseController {
  constructor(
    private readonly handler: LegacySseHandler,
    private readonly edge: McpEdgeContext,
  ) {}

  @Get(['sse', 'tenants/:tenantId/sse'])
  async connect(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    const base = this.edge.baseContext(req, res, tenantId);
    const messagesPath = tenantId === undefined ? '/messages' : `/tenants/${encodeURIComponent(tenantId)}/messages`;
    await this.handler.connect(res, base, messagesPath);
  }

  @Post(['messages', 'tenants/:tenantId/messages'])
  async message(@Req() req: McpRequest, @Res() res: ServerResponse, @Param('tenantId') tenantId?: string): Promise<void> {
    const base = this.edge.baseContext(req, res, tenantId);
    const body = await readJsonRpcBody(req, this.edge.bodyLimitBytes);
    await this.handler.message(req, res, base, body);
  }
}
