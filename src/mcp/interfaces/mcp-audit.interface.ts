/** One tool call, resource read or prompt get that reached the gate. */
export interface McpCallRecord {
  kind: 'tool' | 'resource' | 'prompt';
  /** Tool or prompt name, resource URI. */
  target: string;
  requestId: string;
  sessionId?: string;
  tenantId?: string;
  /** Principal id (API key id, token subject); `anonymous` when authentication is off. */
  principal: string;
  /** `forbidden` and `rate_limited` never reached the method. */
  outcome: 'ok' | 'tool_error' | 'error' | 'forbidden' | 'rate_limited';
  durationMs: number;
  /** A tool's arguments as the client sent them (the audit trail leaves them out unless configured). */
  arguments?: unknown;
}

/** A session that started or ended. */
export interface McpSessionAuditEvent {
  event: 'start' | 'end';
  session: { readonly id: string; readonly tenantId?: string; readonly principal?: string; readonly createdAt: number };
  requestId: string;
}

/** A request refused before it reached the MCP server: credentials, tenant, rate limit. */
export interface McpRefusalAuditEvent {
  /** Principal id or what little is known (`anonymous`, `api-key:unknown`); never a secret. */
  principal: string;
  tenantId?: string;
  /** What was asked for (`POST /mcp`). */
  target: string;
  outcome: 'denied' | 'rate_limited';
  reason: string;
  status: number;
  requestId?: string;
}

/**
 * Told of every call the tool-call gate decides on, allowed or not: an audit trail's
 * source. Provided under {@link MCP_AUDIT_HOOK}; without one, nothing is recorded. Must not
 * throw or block: it runs on the call's path.
 */
export interface McpAuditHook {
  record(call: McpCallRecord): void;
  session?(event: McpSessionAuditEvent): void;
  refusal?(event: McpRefusalAuditEvent): void;
}

export const MCP_AUDIT_HOOK = Symbol('MCP:AUDIT_HOOK');
