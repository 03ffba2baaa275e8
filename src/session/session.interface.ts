import type { LoggingLevel } from '../mcp/interfaces/mcp-content.interface';

/**
 * Everything a replica needs to serve a session it has never seen. Plain JSON: the Redis
 * store keeps it as is.
 */
export interface McpSession {
  readonly id: string;
  /** Tenant bound at initialize; every later request must come for the same tenant. */
  readonly tenantId?: string;
  /** Principal (API key id or token subject) that initialized the session. */
  readonly principal?: string;
  /** End user that initialized it (credential or trusted gateway's `X-User-Id`); later requests must come for the same. */
  readonly userId?: string;
  /** Protocol version negotiated at initialize. */
  readonly protocolVersion: string;
  readonly clientInfo?: { name: string; version: string };
  readonly clientCapabilities: Record<string, unknown>;
  /** Set by `logging/setLevel`. */
  readonly logLevel?: LoggingLevel;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Replica that initialized the session (for logs). */
  readonly createdBy: string;
}

export type McpSessionPatch = Partial<Omit<McpSession, 'id' | 'createdAt' | 'createdBy'>>;
