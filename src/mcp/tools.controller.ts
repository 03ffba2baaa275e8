import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { McpRegistry, RegisteredTool } from './mcp.registry';

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

/** Tool introspection over plain HTTP (seed 003's `/tools`). */
@Controller('tools')
export class ToolsController {
  constructor(private readonly registry: McpRegistry) {}

  @Get()
  list(): { tools: ToolDescription[] } {
    return { tools: [...this.registry.allTools()].map(describeTool) };
  }

  @Get(':name')
  one(@Param('name') name: string): ToolDescription {
    const tool = this.registry.getTool(name);
    if (!tool) throw new NotFoundException(`Unknown tool: ${name}`);
    return describeTool(tool);
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
