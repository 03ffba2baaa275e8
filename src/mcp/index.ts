export { McpModule } from './mcp.module';
export { MCP_CONTEXT_TYPE, InjectMcpOptions, JSONRPC_ERROR, MCP_ROUTE_GUARDS } from './mcp.constants';
export type { McpModuleOptions, ResponseMode, SessionMode } from './mcp-module-options.interface';
export { McpTool } from './discovery/decorators/mcp-tool.decorator';
export { McpResource } from './discovery/decorators/mcp-resource.decorator';
export { McpPrompt } from './discovery/decorators/mcp-prompt.decorator';
export { McpArgs, McpCtx } from './discovery/decorators/mcp-params.decorator';
export { McpToolError, McpProtocolError } from './mcp.exception';
export { McpDefinitionError } from './discovery/mcp-definition.error';
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
export { MCP_AUDIT_HOOK } from './interfaces/mcp-audit.interface';
export type { McpCallBudget } from './interfaces/mcp-call-budget.interface';
export { MCP_CALL_BUDGET } from './interfaces/mcp-call-budget.interface';
export type { McpAuditHook, McpCallRecord } from './interfaces/mcp-audit.interface';
export { MCP_ACCESS_POLICY } from './interfaces/mcp-access-policy.interface';
export type { McpAccessPolicy, McpToolAccess, McpToolQuota } from './interfaces/mcp-access-policy.interface';
export { MCP_TOKEN_EXCHANGE } from './interfaces/mcp-token-exchange.interface';
export type { McpDownstream, McpTokenExchange } from './interfaces/mcp-token-exchange.interface';
