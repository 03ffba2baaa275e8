import { Inject } from '@nestjs/common';

export const APP_CONFIG = Symbol('CONFIG:APP_CONFIG');

/** Injects the validated {@link AppConfig}. */
export const InjectAppConfig = (): ParameterDecorator => Inject(APP_CONFIG);

/** Environment variables that override a config key (key path → variable). */
export const ENV_OVERRIDES = {
  'http.port': 'PORT',
  'http.host': 'HOST',
  'http.adapter': 'HTTP_ADAPTER',
  'http.allowedHosts': 'MCP_ALLOWED_HOSTS',
  'http.bodyLimitBytes': 'MCP_BODY_LIMIT_BYTES',
  redisUrl: 'REDIS_URL',
  'redis.mode': 'REDIS_MODE',
  'redis.keyPrefix': 'REDIS_KEY_PREFIX',
  'redis.sentinels': 'REDIS_SENTINELS',
  'redis.sentinelName': 'REDIS_SENTINEL_NAME',
  'redis.clusterNodes': 'REDIS_CLUSTER_NODES',
  nodeId: 'NODE_ID',
  'sessions.mode': 'MCP_SESSION_MODE',
  'sessions.ttlSeconds': 'MCP_SESSION_TTL_SECONDS',
  'mcp.defaultToolTimeoutMs': 'MCP_TOOL_TIMEOUT_MS',
  'mcp.responseMode': 'MCP_RESPONSE_MODE',
  'mcp.maxBatchSize': 'MCP_MAX_BATCH_SIZE',
  'mcp.protocol': 'MCP_PROTOCOL',
  'mcp.stateKeys': 'MCP_STATE_KEYS',
  'logging.level': 'LOG_LEVEL',
  'logging.format': 'LOG_FORMAT',
  'metrics.enabled': 'MCP_METRICS_ENABLED',
  'metrics.key': 'MCP_METRICS_KEY',
  'auth.allowAnonymous': 'MCP_ALLOW_ANONYMOUS',
  'metrics.tenantLabelLimit': 'MCP_METRICS_TENANT_LABEL_LIMIT',
  'shutdown.graceSeconds': 'MCP_SHUTDOWN_GRACE_SECONDS',
  'audit.enabled': 'MCP_AUDIT_ENABLED',
  'audit.file': 'MCP_AUDIT_FILE',
} as const;

/** Directory of `default.yaml` and `<NODE_ENV>.yaml`, relative to the project root. */
export const CONFIG_DIR = 'config';

/** The lowest config file (above the embedded defaults). */
export const DEFAULT_CONFIG_PATH = `${CONFIG_DIR}/default.yaml`;
