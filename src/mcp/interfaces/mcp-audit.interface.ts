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
}

/**
 * Told of every call the tool-call gate decides on, allowed or not: an audit trail's
 * source. Provided under {@link MCP_AUDIT_HOOK}; without one, nothing is recorded. Must not
 * throw or block: it runs on the call's path.
 */
export interface McpAuditHook {
  record(call: McpCallRecord): void;
}

export const MCP_AUDIT_HOOK = Symbol('MCP:AUDIT_HOOK');
