import { Type } from 'class-transformer';
import { AuthConfig, RateLimitsConfig, TenantConfig } from './auth-config';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

export * from './auth-config';

export const SESSION_MODES = ['stateful', 'stateless'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export const RESPONSE_MODES = ['auto', 'json', 'sse'] as const;
/** How POST answers are framed: `auto` streams (SSE) only requests that may emit notifications. */
export type ResponseMode = (typeof RESPONSE_MODES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export class SessionsConfig {
  /** @default 'stateful' */
  @IsIn(SESSION_MODES)
  mode!: SessionMode;

  /** Idle seconds after which a session expires; every use slides it. @default 1800 */
  @IsInt()
  @Min(1)
  ttlSeconds!: number;

  /** Live sessions one credential (API key, token subject) may hold. @default 1000 */
  @IsInt()
  @Min(1)
  maxPerPrincipal!: number;

  /** Live sessions one tenant may hold, all its callers together. @default 10000 */
  @IsInt()
  @Min(1)
  maxPerTenant!: number;
}

export class ToolPacksConfig {
  @IsBoolean() calculator!: boolean;
  @IsBoolean() diagnostics!: boolean;
  @IsBoolean() examples!: boolean;
  @IsBoolean() conformance!: boolean;
}

export class GatewayConfig {
  /** Take `X-Tenant-Id` / `X-User-Id` from a trusted gateway in front of the platform. @default false */
  @IsBoolean()
  trustTenantHeaders!: boolean;
}

export const HTTP_ADAPTERS = ['express', 'fastify'] as const;

export class HttpConfig {
  /** The HTTP framework under Nest. @default 'express' */
  @IsIn(HTTP_ADAPTERS)
  adapter!: (typeof HTTP_ADAPTERS)[number];

  @IsInt()
  @Min(0)
  @Max(65535)
  port!: number;

  @IsString()
  host!: string;

  /** Host header values accepted on MCP routes (DNS-rebinding protection); `*` accepts any. */
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  allowedHosts!: string[];

  /** Extra `Origin` values accepted besides origins whose host is in `allowedHosts`. */
  @IsArray()
  @IsString({ each: true })
  allowedOrigins!: string[];

  /** Largest accepted request body in bytes. @default 1048576 */
  @IsInt()
  @Min(1024)
  bodyLimitBytes!: number;
}

export const PROTOCOL_MODES = ['dual', 'legacy', 'modern'] as const;
export type ProtocolMode = (typeof PROTOCOL_MODES)[number];

export class McpConfig {
  /** Timeout for a tool that declares none. @default 30000 */
  @IsInt()
  @Min(1)
  defaultToolTimeoutMs!: number;

  @IsIn(RESPONSE_MODES)
  responseMode!: ResponseMode;

  /** `retry:` (ms) in priming events of resumable streams: how soon clients reconnect. @default 1000 */
  @IsInt()
  @Min(0)
  retryIntervalMs!: number;

  @IsOptional()
  @IsString()
  instructions?: string;

  /** Most messages in one JSON-RPC batch; a larger one is refused whole (400, -32600). @default 100 */
  @IsInt()
  @Min(1)
  maxBatchSize!: number;

  /** Largest `capabilities` + `clientInfo` a session stores from `initialize`, in bytes. @default 16384 */
  @IsInt()
  @Min(256)
  maxClientStateBytes!: number;

  /** MCP generations on the endpoint: `dual` (2025 and 2026-07-28), `legacy`, `modern`. @default 'dual' */
  @IsIn(PROTOCOL_MODES)
  protocol!: ProtocolMode;

  /**
   * Secrets that seal 2026-07-28 `requestState` (from `MCP_STATE_KEYS`, e.g. a Kubernetes
   * Secret): the first seals, all open. Unset: a key shared through Redis, else per process.
   */
  @IsArray()
  @IsString({ each: true })
  @MinLength(16, { each: true, message: 'each of mcp.stateKeys must be at least 16 characters' })
  stateKeys!: string[];

  /** Seconds a sealed `requestState` stays valid. @default 600 */
  @IsInt()
  @Min(10)
  @Max(86_400)
  requestStateTtlSeconds!: number;

  /** Answer the plain, common requests without the SDK's per-request work (same answers). @default true */
  @IsBoolean()
  fastPaths!: boolean;
}

export class LoggingConfig {
  @IsIn(LOG_LEVELS)
  level!: (typeof LOG_LEVELS)[number];

  @IsIn(LOG_FORMATS)
  format!: (typeof LOG_FORMATS)[number];
}

export const REDIS_MODES = ['standalone', 'sentinel', 'cluster'] as const;
export type RedisMode = (typeof REDIS_MODES)[number];

/** Shared store for every replica; used when `redisUrl` (or sentinels / cluster nodes) is set. */
export class RedisConfig {
  /** `standalone` (the URL's server), `sentinel` (`sentinels` + `sentinelName`) or `cluster` (`clusterNodes`). @default 'standalone' */
  @IsIn(REDIS_MODES)
  mode!: RedisMode;

  /** Prefix of every key and channel, so deployments can share a Redis. @default 'mcp:' */
  @Matches(/^[A-Za-z0-9:_.-]{0,64}$/, { message: 'keyPrefix must be up to 64 characters of A-Z a-z 0-9 : _ . -' })
  keyPrefix!: string;

  /** Sentinel mode: `host:port` of each sentinel. */
  @IsArray()
  @Matches(/^[^\s:]+:\d{1,5}$/, { each: true, message: 'each sentinel must be host:port' })
  sentinels!: string[];

  /** Sentinel mode: the monitored master's name. @default 'mymaster' */
  @IsString()
  sentinelName!: string;

  /** Cluster mode: `host:port` of some cluster nodes (the rest are discovered). */
  @IsArray()
  @Matches(/^[^\s:]+:\d{1,5}$/, { each: true, message: 'each cluster node must be host:port' })
  clusterNodes!: string[];

  /** How long a command may wait before failing (the request then gets 503). @default 2000 */
  @IsInt()
  @Min(50)
  commandTimeoutMs!: number;

  /** Events kept per SSE stream for `Last-Event-ID` resumption. @default 1000 */
  @IsInt()
  @Min(1)
  maxEventsPerStream!: number;

  /** Seconds an ended stream stays resumable. @default 300 */
  @IsInt()
  @Min(1)
  completedStreamTtlSeconds!: number;
}

export class MetricsConfig {
  /** Serve `GET /metrics` (Prometheus text format). @default true */
  @IsBoolean()
  enabled!: boolean;
  /**
   * When set, `GET /metrics` needs `Authorization: Bearer <key>`. Either the key itself (from
   * `MCP_METRICS_KEY`, e.g. a Kubernetes Secret) or its hash as `sha256:<64 hex>`.
   */
  @IsOptional()
  @IsString()
  @Matches(/^(sha256:[0-9a-f]{64}|[\x21-\x7e]{16,})$/, {
    message: 'key must be 16 or more printable characters without spaces, or sha256:<64 hex>',
  })
  key?: string;
  /** Node.js process metrics (CPU, memory, event loop, GC) beside the `mcp_*` ones. @default true */
  @IsBoolean()
  defaultMetrics!: boolean;
  /**
   * Tenants labelled by name in metrics, first come first served, besides those configured
   * under `tenants`; the others share the label value `_other`. @default 100
   */
  @IsInt()
  @Min(0)
  @Max(10_000)
  tenantLabelLimit!: number;
}

export class AuditConfig {
  /** Write the audit trail: one JSON line per tool call, resource read, prompt get, session start/end and refusal. @default true */
  @IsBoolean()
  enabled!: boolean;
  /** File the trail is appended to (`MCP_AUDIT_FILE`); stdout when unset. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  file?: string;
  /** A tool call's arguments in its record: `omit` (default) or `hash` (`sha256:` of their canonical JSON). */
  @IsIn(['omit', 'hash'])
  arguments!: 'omit' | 'hash';
  /** Tools whose records hold their arguments in full (those arguments must never carry secrets). @default [] */
  @IsArray()
  @IsString({ each: true })
  argumentsInFull!: string[];
}

export class ShutdownConfig {
  /**
   * Seconds between SIGTERM and exit: readiness turns 503 at once, in-flight requests finish,
   * open streams are closed, stores disconnect. Keep it below the pod's
   * `terminationGracePeriodSeconds` minus its preStop sleep. @default 20
   */
  @IsInt()
  @Min(1)
  @Max(3600)
  graceSeconds!: number;
}

/**
 * The whole validated configuration: embedded defaults ← `config/default.yaml` ←
 * `config/<NODE_ENV>.yaml` ← `MCP_CONFIG`'s file ← environment ← overrides (`loadConfig()`).
 * Every key is documented in docs/configuration.md (a test keeps the two in step).
 */
export class AppConfig {
  /** This replica's name in `/health`, logs and metrics. Generated when unset. */
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'nodeId must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  nodeId!: string;

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'redisUrl must start with redis:// or rediss://' })
  redisUrl?: string;

  @ValidateNested() @Type(() => SessionsConfig) sessions!: SessionsConfig;
  @ValidateNested() @Type(() => ToolPacksConfig) toolPacks!: ToolPacksConfig;
  @ValidateNested() @Type(() => GatewayConfig) gateway!: GatewayConfig;
  @ValidateNested() @Type(() => HttpConfig) http!: HttpConfig;
  @ValidateNested() @Type(() => McpConfig) mcp!: McpConfig;
  @ValidateNested() @Type(() => LoggingConfig) logging!: LoggingConfig;
  @ValidateNested() @Type(() => RedisConfig) redis!: RedisConfig;
  @ValidateNested() @Type(() => MetricsConfig) metrics!: MetricsConfig;
  @ValidateNested() @Type(() => ShutdownConfig) shutdown!: ShutdownConfig;
  @ValidateNested() @Type(() => AuditConfig) audit!: AuditConfig;

  @ValidateNested() @Type(() => AuthConfig) auth!: AuthConfig;
  @ValidateNested() @Type(() => RateLimitsConfig) rateLimit!: RateLimitsConfig;

  /** Per-tenant rules by tenant id; validated entry by entry by the loader. */
  @IsObject()
  tenants!: Record<string, TenantConfig>;
}
