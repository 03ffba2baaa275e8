import { Inject } from '@nestjs/common';

export const APP_CONFIG = Symbol('CONFIG:APP_CONFIG');

/** Injects the validated {@link AppConfig}. */
export const InjectAppConfig = (): ParameterDecorator => Inject(APP_CONFIG);

/** Environment variables that override a config key (key path → variable). */
export const ENV_OVERRIDES = {
  'http.port': 'PORT',
  'http.host': 'HOST',
  'http.allowedHosts': 'MCP_ALLOWED_HOSTS',
  'http.bodyLimitBytes': 'MCP_BODY_LIMIT_BYTES',
  redisUrl: 'REDIS_URL',
  nodeId: 'NODE_ID',
  'sessions.mode': 'MCP_SESSION_MODE',
  'sessions.ttlSeconds': 'MCP_SESSION_TTL_SECONDS',
  'mcp.defaultToolTimeoutMs': 'MCP_TOOL_TIMEOUT_MS',
  'mcp.responseMode': 'MCP_RESPONSE_MODE',
  'logging.level': 'LOG_LEVEL',
  'logging.format': 'LOG_FORMAT',
} as const;

export const DEFAULT_CONFIG_PATH = 'config/default.yaml';
