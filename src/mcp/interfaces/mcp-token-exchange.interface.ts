import type { McpRequestContext } from './mcp-context.interface';

/**
 * A downstream API a tool calls as its caller: what the token is asked for (RFC 8693
 * `audience` and/or RFC 8707 `resource`, and `scope`).
 */
export interface McpDownstream {
  /** The API's identifier at the authorization server (RFC 8693 `audience`). */
  audience?: string;
  /** The API's URL (RFC 8707 `resource`). */
  resource?: string;
  /** Scopes asked for (sent space-separated as `scope`). */
  scopes?: readonly string[];
}

/**
 * Gets an access token to call a downstream API on behalf of a request's caller (OAuth 2.0
 * token exchange, RFC 8693). Provided under {@link MCP_TOKEN_EXCHANGE} by AuthModule; without
 * one, `ctx.tokenFor()` is a tool error. Failures are {@link McpToolError}s whose messages
 * never hold a token.
 */
export interface McpTokenExchange {
  tokenFor(request: McpRequestContext, downstream: McpDownstream): Promise<string>;
}

/** Injection token of the {@link McpTokenExchange} port. */
export const MCP_TOKEN_EXCHANGE = Symbol('MCP:TOKEN_EXCHANGE');
