export { McpModule } from './mcp.module';
export { McpHttpEndpoint, MCP_ENDPOINT_PATHS } from './edges/streamable-http/mcp-http.endpoint';
export { MCP_CONTEXT_TYPE, InjectMcpOptions } from './mcp.constants';
export type { McpModuleOptions } from './mcp-module-options.interface';
export { McpTool } from './discovery/decorators/mcp-tool.decorator';
export { McpResource } from './discovery/decorators/mcp-resource.decorator';
export { McpPrompt } from './discovery/decorators/mcp-prompt.decorator';
export { McpArgs, McpCtx } from './discovery/decorators/mcp-params.decorator';
export { McpToolError, McpProtocolError } from './mcp.exception';
export { McpDefinitionError } from './discovery/mcp-definition.error';
export { McpRegistry } from './discovery/mcp.registry';
export type { RegisteredTool, ToolDefinition } from './discovery/mcp.registry';
export { McpExecutor } from './execution/mcp.executor';
export { McpNotifier } from './execution/mcp.notifier';
export type {
  ElicitationResult,
  ElicitationSchema,
  McpRequestContext,
  McpToolContext,
  SamplingMessage,
  SamplingRequest,
  SamplingResult,
} from './interfaces/mcp-context.interface';
export type * from './interfaces/mcp-content.interface';
export type * from './interfaces/mcp-decorator-options.interface';
export { LOGGING_LEVELS } from './interfaces/mcp-content.interface';
export { MCP_OBSERVER } from './interfaces/mcp-observer.interface';
export type { McpExchangeObservation, McpObserver, McpRequestObservation } from './interfaces/mcp-observer.interface';
