/** One JSON-RPC request served by the MCP edge. */
export interface McpRequestObservation {
  /** JSON-RPC method (`tools/call`, `initialize` …). */
  method: string;
  /** Tool name for `tools/call`. */
  tool?: string;
  tenantId?: string;
  /** `ok`; `tool_error` for an `isError` result; `error` for a JSON-RPC error. */
  status: 'ok' | 'tool_error' | 'error';
  /** As the audit trail has it: a refusal by permission (`denied`) or a tool's limit (`rate_limited`) apart from other errors. */
  outcome: McpOutcome;
  /** Why it failed (OpenTelemetry's `error.type`): `tool_error` or the JSON-RPC error code; absent on success. */
  errorType?: string;
  durationSeconds: number;
}

/** How a request ended, in the audit trail, metrics and traces alike. */
export type McpOutcome = 'ok' | 'error' | 'denied' | 'rate_limited';

/** A session that ended (DELETE, or its legacy stream closed). */
export interface McpSessionObservation {
  tenantId?: string;
  protocolVersion?: string;
  durationSeconds: number;
}

/** One HTTP exchange on an MCP route. */
export interface McpExchangeObservation {
  httpMethod: string;
  status: number;
  requestBytes: number;
  responseBytes: number;
  tenantId?: string;
}

/**
 * What the MCP edge reports as it works; MetricsModule implements it with Prometheus.
 * Provided under {@link MCP_OBSERVER}; without one, nothing is recorded.
 */
export interface McpObserver {
  requestStarted(method: string): void;
  requestFinished(observation: McpRequestObservation): void;
  exchangeFinished(observation: McpExchangeObservation): void;
  /** A notification sent to a client: progress, log message, list change, resource update. */
  notificationSent(kind: 'progress' | 'log' | 'list_changed' | 'resource_updated' | 'other'): void;
  sessionOpened(): void;
  sessionClosed(session?: McpSessionObservation): void;
}

export const MCP_OBSERVER = Symbol('MCP:OBSERVER');
