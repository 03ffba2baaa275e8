import { Inject } from '@nestjs/common';

export const MCP_TOOL_METADATA = 'MCP:TOOL';
export const MCP_RESOURCE_METADATA = 'MCP:RESOURCE';
export const MCP_PROMPT_METADATA = 'MCP:PROMPT';

/** Execution-context type of tool, resource and prompt calls (`context.getType()`). */
export const MCP_CONTEXT_TYPE = 'mcp';

/** Tool names as the MCP spec (2025-11-25) recommends them. */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

export const MCP_SERVER_NAME = 'mcp-platform';

export const JSONRPC_ERROR = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  SERVER_ERROR: -32000,
  SESSION_NOT_FOUND: -32001,
  RESOURCE_NOT_FOUND: -32002,
  /** The caller may not use this tool (permissions or the tenant's rules). */
  FORBIDDEN: -32003,
  /** The tool's own call limit (`rateLimit` on `@McpTool`) is used up for this window. */
  TOO_MANY_CALLS: -32004,
  /** 2026-07-28: the request's headers contradict its body. */
  HEADER_MISMATCH: -32020,
  /** 2026-07-28: the call needs a client capability the request did not declare. */
  MISSING_CLIENT_CAPABILITY: -32021,
  /** 2026-07-28: a protocol revision this server does not speak. */
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

export const MCP_MODULE_OPTIONS = 'MCP:MODULE_OPTIONS';
export const InjectMcpOptions = (): ParameterDecorator => Inject(MCP_MODULE_OPTIONS);

/**
 * Guards that every MCP route (Streamable HTTP, legacy SSE, `/tools`) runs, in order, and
 * no other route: AuthModule provides its authentication and rate-limit guards here.
 */
export const MCP_ROUTE_GUARDS = Symbol('MCP:ROUTE_GUARDS');
