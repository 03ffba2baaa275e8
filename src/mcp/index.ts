export { McpModule } from './mcp.module';
export { McpHttpEndpoint, MCP_ENDPOINT_PATHS } from './mcp-http.endpoint';
export { MCP_CONTEXT_TYPE, InjectMcpOptions } from './mcp.constants';
export type { McpModuleOptions } from './mcp-module-options.interface';
export { McpTool } from './decorators/mcp-tool.decorator';
export { McpResource } from './decorators/mcp-resource.decorator';
export { McpPrompt } from './decorators/mcp-prompt.decorator';
export { McpArgs, McpCtx } from './decorators/mcp-params.decorator';
export { McpToolError, McpProtocolError } from './mcp.exception';
export { McpDefinitionError } from './mcp-definition.error';
export { McpRegistry } from './mcp.registry';
export type { RegisteredTool, ToolDefinition } from './mcp.registry';
export { McpExecutor } from './mcp.executor';
export { McpNotifier } from './mcp.notifier';
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
