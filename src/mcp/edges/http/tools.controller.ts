import { Controller, Get, Inject, NotFoundException, Optional, Param, Req, UseGuards } from '@nestjs/common';
import { McpRouteGuard } from './mcp-route.guard';
import { MCP_ACCESS_POLICY, McpAccessPolicy } from '../../interfaces/mcp-access-policy.interface';
import type { McpRequestContext } from '../../interfaces/mcp-context.interface';
import { McpRegistry, RegisteredTool } from '../../discovery/mcp.registry';

/** What `GET /tools` shows of a tool. */
export interface ToolDescription {
  name: string;
  title?: string;
  description: string;
  pack: string;
  permissions: readonly string[];
  timeoutMs?: number;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

type IntrospectionRequest = { mcpAccess?: Pick<McpRequestContext, 'principal' | 'tenantId'> };

/**
 * Tool introspection over plain HTTP (seed 003's `/tools`), behind the same auth as `/mcp`:
 * a caller sees the tools it may call.
 */
@Controller('tools')
@UseGuards(McpRouteGuard)
export class ToolsController {
  constructor(
    private readonly registry: McpRegistry,
    @Optional() @Inject(MCP_ACCESS_POLICY) private readonly policy?: McpAccessPolicy,
  ) {}

  @Get()
  list(@Req() req: IntrospectionRequest): { tools: ToolDescription[] } {
    return { tools: [...this.registry.allTools()].filter((tool) => this.visible(req, tool)).map(describeTool) };
  }

  @Get(':name')
  one(@Req() req: IntrospectionRequest, @Param('name') name: string): ToolDescription {
    const tool = this.registry.getTool(name);
    if (!tool || !this.visible(req, tool)) throw new NotFoundException(`Unknown tool: ${name}`);
    return describeTool(tool);
  }

  private visible(req: IntrospectionRequest, tool: RegisteredTool): boolean {
    if (!this.policy || !req.mcpAccess) return true;
    const context = { requestId: '', headers: {}, nodeId: '', receivedAt: 0, ...req.mcpAccess } as McpRequestContext;
    return this.policy.toolAccess(context, tool).allowed;
  }
}

function describeTool(tool: RegisteredTool): ToolDescription {
  const { definition } = tool;
  return {
    name: definition.name,
    ...(definition.title !== undefined && { title: definition.title }),
    description: definition.description,
    pack: tool.pack,
    permissions: tool.permissions,
    ...(tool.timeoutMs !== undefined && { timeoutMs: tool.timeoutMs }),
    inputSchema: definition.inputSchema,
    ...(definition.outputSchema && { outputSchema: definition.outputSchema }),
    ...(definition.annotations && { annotations: { ...definition.annotations } }),
  };
}
