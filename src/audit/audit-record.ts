/** What an audit record says happened. */
export type AuditAction = 'tools/call' | 'resources/read' | 'prompts/get' | 'session.start' | 'session.end' | 'auth';

/** How it ended: `denied` (credentials, tenant, permission) and `rate_limited` never ran. */
export type AuditOutcome = 'ok' | 'error' | 'denied' | 'rate_limited';

/**
 * One line of the audit trail (JSON). Never holds a secret: the principal is a key's id or a
 * token's subject; a tool's arguments only as configured (a hash, or in full for named tools).
 */
export interface AuditRecord {
  type: 'audit';
  /** ISO 8601, UTC. */
  time: string;
  requestId?: string;
  /** The OpenTelemetry trace the request belongs to, when tracing is on. */
  traceId?: string;
  tenant?: string;
  principal: string;
  action: AuditAction;
  /** Tool or prompt name, resource URI, session id, or the refused route. */
  target: string;
  outcome: AuditOutcome;
  durationMs?: number;
  sessionId?: string;
  nodeId?: string;
  /** Why it was refused or failed (`tool_error`, a reason for a refusal). */
  reason?: string;
  /** `sha256:<hex>` of the arguments' canonical JSON (`audit.arguments: hash`). */
  argumentsHash?: string;
  /** The arguments themselves, for tools named in `audit.argumentsInFull`. */
  arguments?: unknown;
}
