/** `stateful`: sessions with `Mcp-Session-Id`; `stateless`: every request stands alone. */
export type SessionMode = 'stateful' | 'stateless';
/** How POST answers are framed: `auto` streams (SSE) only requests that may emit notifications. */
export type ResponseMode = 'auto' | 'json' | 'sse';

/**
 * Which MCP generations the endpoint serves: `dual` both (2024-11-05 … 2025-11-25 with
 * sessions, and the sessionless 2026-07-28), classified per request; `legacy` only the
 * former; `modern` only 2026-07-28.
 */
export type ProtocolMode = 'dual' | 'legacy' | 'modern';

/** Options of {@link McpModule}; {@link McpModule.forRoot} fills the rest from defaults. */
export interface McpModuleOptions {
  /** Name and version in `initialize` answers. @default { name: 'mcp-platform', version: <package.json> } */
  serverInfo: { name: string; version: string };
  /** `stateful`: sessions with `Mcp-Session-Id`; `stateless`: every request stands alone. @default 'stateful' */
  sessionMode: SessionMode;
  /** Tool timeout when a tool declares none. @default 30000 */
  defaultToolTimeoutMs: number;
  /** JSON or SSE answers to POST; `auto` streams only calls that may notify. @default 'auto' */
  responseMode: ResponseMode;
  /** Host header values accepted on MCP routes; `*` accepts any. @default ['localhost', '127.0.0.1', '[::1]'] */
  allowedHosts: string[];
  /** Origins accepted besides those whose host is allowed. @default [] */
  allowedOrigins: string[];
  /** Largest request body in bytes. @default 1048576 */
  bodyLimitBytes: number;
  /** Most messages in one JSON-RPC batch; a larger batch is refused whole. @default 100 */
  maxBatchSize: number;
  /** Largest `capabilities` + `clientInfo` of an `initialize` that a session stores, in bytes. @default 16384 */
  maxClientStateBytes: number;
  /** This replica's id, in contexts and logs. @default 'local' */
  nodeId: string;
  /** `retry:` (ms) in priming events of resumable streams: how soon clients reconnect. @default 1000 */
  retryIntervalMs: number;
  /** `instructions` sent to clients at initialize. */
  instructions?: string;
  /** Path of the Streamable HTTP endpoint, under the app's global prefix. @default '/mcp' */
  path: string;
  /**
   * Prefix of the tenant forms of every MCP route (`/tenants/acme/mcp`); `:tenantId` names
   * the tenant. `false`: no tenant routes. @default '/tenants/:tenantId'
   */
  tenantPrefix: string | false;
  /** The legacy HTTP+SSE transport's paths (protocol 2024-11-05); `false` turns it off. @default { ssePath: '/sse', messagesPath: '/messages' } */
  legacySse: { ssePath: string; messagesPath: string } | false;
  /** Live sessions one credential (API key, token subject) may hold; `initialize` past it gets 429. @default 1000 */
  maxSessionsPerPrincipal: number;
  /** Live sessions one tenant may hold, all its callers together. @default 10000 */
  maxSessionsPerTenant: number;
  /** Idle seconds before a session expires, when no SessionModule provides the store. @default 1800 */
  sessionTtlSeconds: number;
  /** On shutdown, how long in-flight requests may take to finish before streams are cut. @default 10000 */
  drainTimeoutMs: number;
  /** MCP generations on the endpoint. @default 'dual' */
  protocol: ProtocolMode;
  /**
   * Secrets that seal the `requestState` of 2026-07-28 multi-round calls (AES-256-GCM, keys
   * derived with HKDF): the first seals, every one opens, so keys rotate by putting the new
   * one first. Every replica needs the same list. Empty: a key shared through Redis when
   * RedisModule is imported, else one per process. @default []
   */
  stateKeys: string[];
  /** How long a sealed `requestState` stays valid, in seconds. @default 600 */
  requestStateTtlSeconds: number;
  /**
   * Answer plain `tools/call` requests (the bulk of traffic) without the SDK's per-request
   * work, with the same answers; `false` sends every request through the SDK. @default true
   */
  fastPaths: boolean;
}
