import type { RegisteredTool } from '../discovery/mcp.registry';
import type { McpRequestContext } from './mcp-context.interface';

export interface McpToolAccess {
  allowed: boolean;
  /** Why not, in words the caller may see. */
  reason?: string;
  /**
   * The refusal's JSON-RPC error `data`. An OAuth step-up (a token without a scope the tool
   * needs) carries `requiredScopes` and `wwwAuthenticate`: Streamable HTTP then answers a
   * single request with HTTP 403 and that `WWW-Authenticate` challenge.
   */
  data?: Record<string, unknown>;
}

/**
 * Decides which tools a request may see and call (permissions, tenant rules). Provided
 * under {@link MCP_ACCESS_POLICY} by AuthModule; without one, every tool is open.
 */
export interface McpAccessPolicy {
  toolAccess(context: McpRequestContext, tool: RegisteredTool): McpToolAccess;
  /** Requests with the same key see the same tool list (so it can be cached). */
  cacheKey(context: McpRequestContext): string;
  /** Counts a call against the tool's own `rateLimit`; refuses past it. */
  consumeToolQuota(context: McpRequestContext, tool: RegisteredTool): Promise<McpToolQuota>;
}

export interface McpToolQuota {
  allowed: boolean;
  limit?: number;
  remaining?: number;
  /** Seconds until the window (or block) ends. */
  resetSeconds?: number;
}

export const MCP_ACCESS_POLICY = Symbol('MCP:ACCESS_POLICY');
