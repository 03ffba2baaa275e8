import { Inject } from '@nestjs/common';

export const METRICS_MODULE_OPTIONS = 'METRICS:MODULE_OPTIONS';

/** Injects the resolved {@link MetricsModuleOptions}. */
export const InjectMetricsOptions = (): ParameterDecorator => Inject(METRICS_MODULE_OPTIONS);

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/** Names of the platform's metrics: public API (dashboards and alerts use them). */
export const MetricName = {
  /** counter {method, tool, status, tenant}: JSON-RPC requests served. */
  REQUESTS_TOTAL: 'mcp_requests_total',
  /** histogram {method, tool, status}: JSON-RPC request duration. */
  REQUEST_DURATION_SECONDS: 'mcp_request_duration_seconds',
  /** histogram {http_method}: HTTP request body size on MCP routes. */
  REQUEST_SIZE_BYTES: 'mcp_request_size_bytes',
  /** histogram {http_method}: HTTP response body size on MCP routes. */
  RESPONSE_SIZE_BYTES: 'mcp_response_size_bytes',
  /** counter {http_method, code}: HTTP exchanges on MCP routes by status code. */
  HTTP_RESPONSES_TOTAL: 'mcp_http_responses_total',
  /** gauge {method}: JSON-RPC requests in progress. */
  ACTIVE_REQUESTS: 'mcp_active_requests',
  /** counter {kind}: notifications sent to clients (progress, log, …) as stream events. */
  STREAMING_CHUNKS_TOTAL: 'mcp_streaming_chunks_total',
  /** gauge: tools in the registry. */
  TOOLS_REGISTERED: 'mcp_tools_registered',
  /** gauge {version, node_id, session_mode}: always 1. */
  SERVER_INFO: 'mcp_server_info',
  /** gauge: live sessions in the session store (the whole store, not this replica). */
  SESSIONS_ACTIVE: 'mcp_sessions_active',
  /** counter: sessions opened by this replica. */
  SESSIONS_OPENED_TOTAL: 'mcp_sessions_opened_total',
  /** counter: sessions closed (DELETE) on this replica. */
  SESSIONS_CLOSED_TOTAL: 'mcp_sessions_closed_total',
  /** counter {reason, tenant}: refused credentials. */
  AUTH_FAILURES_TOTAL: 'mcp_auth_failures_total',
  /** counter {tenant}: requests refused with 429. */
  RATE_LIMITED_TOTAL: 'mcp_rate_limited_total',
  /** histogram {operation}: session store calls. */
  SESSION_STORE_OPERATION_DURATION_SECONDS: 'mcp_session_store_operation_duration_seconds',
  /** counter {operation}: failed session store calls. */
  SESSION_STORE_ERRORS_TOTAL: 'mcp_session_store_errors_total',
  /**
   * histogram {mcp_method_name, gen_ai_tool_name, tenant, outcome}: OpenTelemetry's
   * `mcp.server.operation.duration`; outcome ok | error | denied | rate_limited.
   */
  SERVER_OPERATION_DURATION_SECONDS: 'mcp_server_operation_duration_seconds',
  /** histogram {tenant, mcp_protocol_version}: OpenTelemetry's `mcp.server.session.duration` (sessions that ended). */
  SERVER_SESSION_DURATION_SECONDS: 'mcp_server_session_duration_seconds',
  /** gauge: 1 while this replica drains after SIGTERM. */
  DRAINING: 'mcp_draining',
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Label value for a request without a tenant. */
export const TENANT_NONE = '_none';
/** Label value shared by tenants past `tenantLabelLimit` (tenant ids never start with `_`). */
export const TENANT_OTHER = '_other';
/** Label value of a tool name that is not registered (clients choose names: keep them out). */
export const TOOL_UNKNOWN = '_unknown';
/** Label value of a JSON-RPC method the MCP specification does not define. */
export const METHOD_OTHER = '_other';

/** JSON-RPC methods of the MCP specification (2024-11-05 … 2025-11-25), kept as label values. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/list',
  'tasks/result',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

/** Protocol revisions kept as label values (others fold into `_other`). */
export const KNOWN_PROTOCOL_VERSIONS: ReadonlySet<string> = new Set(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);

export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
export const SIZE_BUCKETS = [64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];
/** OpenTelemetry's advice for `mcp.server.operation.duration` (seconds). */
export const OPERATION_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** Sessions last from seconds to hours. */
export const SESSION_DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];
export const STORE_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Longest wait for the session store while a scrape collects `mcp_sessions_active`. */
export const STORE_COLLECT_TIMEOUT_MS = 1000;
